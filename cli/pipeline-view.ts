import type { ShardsDone } from '../api/pipeline-runs';
import type { PipelineRunResult, PipelineStatus, StepStatus } from '../workflows/pipeline-types';

const MARK: Record<StepStatus['state'], string> = { pending: '·', running: '▶', done: '✓', skipped: '-', failed: '✗', cancelled: '✗' };

/** The live view of a run: one line per step, redrawn in place on a TTY; changes only, otherwise. */
export class PipelineView {
  private drawn = 0;
  private last = new Map<string, string>();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  static lines(status: PipelineStatus, shards: ShardsDone = {}): string[] {
    return Object.entries(status.steps).map(([id, s]) => {
      const done = shards[id];
      const bar = s.shards && done !== undefined ? `[${'#'.repeat(Math.round((done / s.shards) * 20)).padEnd(20, '.')}] ${done}/${s.shards} shards` : s.shards ? `${s.shards} shards` : '';
      const extra = [bar, s.ref ?? '', s.error ?? ''].filter(Boolean).join('  ');
      return `  ${MARK[s.state]} ${id.padEnd(16)} ${s.state.padEnd(9)} ${extra}`.trimEnd();
    });
  }

  update(status: PipelineStatus, shards: ShardsDone = {}): void {
    const lines = PipelineView.lines(status, shards);
    if (this.stream.isTTY) {
      if (this.drawn) this.stream.write(`\x1b[${this.drawn}A`);
      for (const line of lines) this.stream.write(`${line}\x1b[K\n`);
      this.drawn = lines.length;
      return;
    }
    for (const [id, s] of Object.entries(status.steps)) {
      const progress = s.shards && shards[id] !== undefined ? ` ${shards[id]}/${s.shards} shards` : '';
      const key = `${s.state} ${s.ref ?? ''}${progress}`;
      if (this.last.get(id) !== key) {
        this.last.set(id, key);
        this.stream.write(`${id}: ${s.state}${progress}${s.ref ? ` ${s.ref}` : ''}${s.error ? ` (${s.error})` : ''}\n`);
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
