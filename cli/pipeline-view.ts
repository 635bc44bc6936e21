import { formatBytes, shortDigest } from './output';
import type { PipelineRunResult, PipelineStatus, StepProgress, StepStatus } from '../client';

const NONE: StepProgress = { shardsDone: {}, bytes: {} };

function meter(done: number, total: number): string {
  const width = 20;
  const filled = total > 0 ? Math.round(Math.min(1, done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

const MARK: Record<StepStatus['state'], string> = { pending: '·', running: '▶', done: '✓', cached: '≡', skipped: '-', failed: '✗', cancelled: '✗' };

/** Says which attempt a step's command succeeded on, when its retry policy ran it more than once (a failure's error says it). */
function retried(s: StepStatus): string {
  return s.state === 'done' && s.attempt !== undefined && s.attempt > 1 ? `(attempt ${s.attempt})` : '';
}

/** Names the run whose recorded result a cached step is. */
function cachedFrom(s: StepStatus): string {
  return s.cachedFrom ? `(from run ${s.cachedFrom})` : '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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
        : s.shards ? `${s.shards} shards${s.shardsCached ? ` (${s.shardsCached} cached)` : ''}`
          : bytes ? `${meter(bytes.done, bytes.total)} ${formatBytes(bytes.done)}/${formatBytes(bytes.total)} uploaded` : '';
      const extra = [bar, s.ref ?? '', retried(s), cachedFrom(s), s.error ?? ''].filter(Boolean).join('  ');
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
      const shards = s.shards && progress.shardsDone[id] !== undefined ? ` ${progress.shardsDone[id]}/${s.shards} shards`
        : s.shardsCached ? ` ${s.shards} shards (${s.shardsCached} cached)` : '';
      const key = `${s.state} ${s.ref ?? ''}${shards}`;
      if (this.last.get(id) !== key) {
        this.last.set(id, key);
        const notes = [retried(s), cachedFrom(s)].filter(Boolean).map((n) => ` ${n}`).join('');
        this.stream.write(`${id}: ${s.state}${shards}${s.ref ? ` ${s.ref}` : ''}${notes}${s.error ? ` (${s.error})` : ''}\n`);
      }
    }
  }

  stop(): void {
    this.drawn = 0;
  }

  finish(result: PipelineRunResult): void {
    this.update(result);
    console.log(`run ${result.runId} done: ${PipelineView.summary(result)}`);
    for (const [id, o] of Object.entries(result.outputs).filter(([, o]) => o.ref)) {
      const s = result.steps[id];
      const how = s?.state === 'cached' ? 'cached' : s?.outcome ?? '';
      console.log(`  ${id}: ${o.ref}  (digest ${o.digest ? shortDigest(o.digest) : undefined})${how ? `  ${how}` : ''}`);
    }
  }

  /** How a run's steps ended, counted apart: versions created, unchanged (equal to an existing one), steps cached, run, skipped. */
  static summary(status: PipelineStatus): string {
    const steps = Object.values(status.steps);
    const count = (p: (s: StepStatus) => boolean): number => steps.filter(p).length;
    const from = [...new Set(steps.map((s) => s.cachedFrom).filter(Boolean))];
    const parts = [
      plural(count((s) => s.state === 'done' && s.ref !== undefined && s.outcome !== 'unchanged'), 'version') + ' created',
      `${count((s) => s.outcome === 'unchanged')} unchanged`,
      `${plural(count((s) => s.state === 'cached'), 'step')} cached${from.length ? ` (results of run ${from.join(', ')})` : ''}`,
      `${count((s) => s.state === 'done')} run`,
    ];
    const skipped = count((s) => s.state === 'skipped');
    return [...parts, ...(skipped ? [`${skipped} skipped`] : [])].join(', ');
  }
}
