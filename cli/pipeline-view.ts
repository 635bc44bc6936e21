import { formatBytes } from './output';
import type { PipelineRunResult, PipelineStatus, StepProgress, StepStatus } from '../client';

const NONE: StepProgress = { shardsDone: {}, bytes: {} };

function meter(done: number, total: number): string {
  const width = 20;
  const filled = total > 0 ? Math.round(Math.min(1, done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

const MARK: Record<StepStatus['state'], string> = { pending: '·', running: '▶', done: '✓', skipped: '-', failed: '✗', cancelled: '✗' };

/** Says which attempt a step's command succeeded on, when its retry policy ran it more than once (a failure's error says it). */
function retried(s: StepStatus): string {
  return s.state === 'done' && s.attempt !== undefined && s.attempt > 1 ? `(attempt ${s.attempt})` : '';
}

/** The live view of a run: one line per step, redrawn in place on a TTY; changes only, otherwise. */
export class PipelineView {
  private drawn = 0;
  private last = new Map<string, string>();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  static lines(status: PipelineStatus, progress: StepProgress = NONE): string[] {
    return Object.entries(status.steps).map(([id, s]) => {
      const done = progress.shardsDone[id];
      const bytes = progress.bytes[id];
      const bar = s.shards && done !== undefined ? `${meter(done, s.shards)} ${done}/${s.shards} shards`
        : s.shards ? `${s.shards} shards`
          : bytes ? `${meter(bytes.done, bytes.total)} ${formatBytes(bytes.done)}/${formatBytes(bytes.total)} uploaded` : '';
      const extra = [bar, s.ref ?? '', retried(s), s.error ?? ''].filter(Boolean).join('  ');
      return `  ${MARK[s.state]} ${id.padEnd(16)} ${s.state.padEnd(9)} ${extra}`.trimEnd();
    });
  }

  update(status: PipelineStatus, progress: StepProgress = NONE): void {
    const lines = PipelineView.lines(status, progress);
    if (this.stream.isTTY) {
      if (this.drawn) this.stream.write(`\x1b[${this.drawn}A`);
      for (const line of lines) this.stream.write(`${line}\x1b[K\n`);
      this.drawn = lines.length;
      return;
    }
    for (const [id, s] of Object.entries(status.steps)) {
      const shards = s.shards && progress.shardsDone[id] !== undefined ? ` ${progress.shardsDone[id]}/${s.shards} shards` : '';
      const key = `${s.state} ${s.ref ?? ''}${shards}`;
      if (this.last.get(id) !== key) {
        this.last.set(id, key);
        this.stream.write(`${id}: ${s.state}${shards}${s.ref ? ` ${s.ref}` : ''}${retried(s) ? ` ${retried(s)}` : ''}${s.error ? ` (${s.error})` : ''}\n`);
      }
    }
  }

  stop(): void {
    this.drawn = 0;
  }

  finish(result: PipelineRunResult): void {
    this.update(result);
    const produced = Object.entries(result.outputs).filter(([, o]) => o.ref);
    console.log(`run ${result.runId} done: ${produced.length} version${produced.length === 1 ? '' : 's'} produced`);
    for (const [id, o] of produced) console.log(`  ${id}: ${o.ref}  (digest ${o.digest?.slice(0, 16)})`);
  }
}
