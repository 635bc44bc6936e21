import { Context } from '@temporalio/activity';
import type { StageProgress, StageResult } from '../store/stager';
import { stageSpec } from '../store/stager';
import type { Store } from '../store/store';

export interface StageInput {
  /** Digest of the ArtifactSpec blob recorded by the client. */
  readonly specDigest: string;
}

/**
 * Walks, hashes and stores the files of a spec on the host that has them. Progress goes out as heartbeat
 * details; a retried attempt reads them back and skips what the last attempt finished, resuming a large file
 * from its last checkpoint.
 */
export function createStageActivity(store: () => Promise<Store>, maxBytesPerSecond: number | undefined) {
  return async function stageArtifact(input: StageInput): Promise<StageResult> {
    const ctx = Context.current();
    const resume = ctx.info.heartbeatDetails as StageProgress | undefined;
    const s = await store();
    const spec = await s.getSpec(input.specDigest);
    ctx.heartbeat(resume);
    return stageSpec(s, spec, {
      resume,
      maxBytesPerSecond,
      signal: ctx.cancellationSignal,
      onProgress: (progress) => ctx.heartbeat(progress),
    });
  };
}
