import type fs from 'node:fs';
import type { IngestCheckpoint, IngestOptions } from './blob-store';

/** How often the latest checkpoint is reported again while nothing new is stored. */
const EVERY_MS = 1000;

/**
 * Reports the latest checkpoint again every second for as long as an ingest runs, including while it only hashes
 * (a large file is read once before any byte is sent) or waits on slow parts. A caller that turns checkpoints into
 * Temporal heartbeats therefore heartbeats throughout, so a heartbeat timeout means a dead worker, not a big file.
 * Until the first checkpoint of its own, it reports the one it resumes from (keeping its upload id alive for a
 * later attempt), or a checkpoint that resumes nothing.
 */
export class CheckpointKeepAlive {
  private latest: IngestCheckpoint;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(localPath: string, stat: fs.Stats, private readonly options: IngestOptions) {
    this.latest = options.resume?.localPath === localPath ? options.resume
      : { localPath, sourceSize: stat.size, sourceMtimeMs: stat.mtimeMs, bytesDone: 0, prefixDigest: '', upload: {} };
    const onCheckpoint = options.onCheckpoint;
    this.timer = onCheckpoint ? setInterval(() => onCheckpoint(this.latest), EVERY_MS) : undefined;
    this.timer?.unref();
  }

  /** Pass as `onCheckpoint` to the work being kept alive. */
  readonly report = (checkpoint: IngestCheckpoint): void => {
    this.latest = checkpoint;
    this.options.onCheckpoint?.(checkpoint);
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
