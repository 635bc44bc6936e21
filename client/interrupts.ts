import os from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';

/** A write this process started and is waiting for. */
interface Pending {
  /** What the user asked for, e.g. `log of "model"`. */
  readonly what: string;
  readonly handle: WorkflowHandle;
  readonly settled: Promise<void>;
}

/** How long an interrupted process waits for its cancelled writes to end, then for its worker to stop. */
const CANCEL_WAIT_MS = 8_000;
const CLOSE_WAIT_MS = 5_000;

/**
 * What SIGINT and SIGTERM do to a process with a session open (the CLI, or a script that called `init()`): cancel
 * the writes it started and is waiting for (log, upsert, finish, draft save, pipeline run), wait a few seconds for
 * them to end, say on stderr what became of each, close the session and exit with 128 + the signal's number
 * (130, 143). A second signal exits at once.
 *
 * Cancelling rather than leaving the write to some worker: an interrupt means "stop", and the files of a write are
 * on this host, where its staging would otherwise wait for a worker that may never come. A cancelled write makes no
 * version; one whose commit had begun completes it (commits are not cancellable), so nothing is left half made.
 */
export class Interrupts {
  private readonly pending = new Set<Pending>();
  private interrupted = false;
  private readonly listener = (signal: NodeJS.Signals): void => void this.interrupt(signal);

  constructor(private readonly close: () => Promise<void>, private readonly say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  install(): void {
    process.on('SIGINT', this.listener);
    process.on('SIGTERM', this.listener);
  }

  uninstall(): void {
    process.off('SIGINT', this.listener);
    process.off('SIGTERM', this.listener);
  }

  /**
   * Registers a started write until `result` settles, and returns `result`; once the process is interrupted it
   * never settles for the caller, whose code would otherwise go on (or exit) before the interrupt has said what
   * became of the write and exited with the signal's code.
   */
  track<T>(what: string, handle: WorkflowHandle, result: Promise<T>): Promise<T> {
    const entry: Pending = { what, handle, settled: result.then(() => undefined, () => undefined) };
    this.pending.add(entry);
    void entry.settled.then(() => this.pending.delete(entry));
    const held = new Promise<never>(() => undefined);
    return result.then((value) => (this.interrupted ? held : value), (err: unknown) => (this.interrupted ? held : Promise.reject(err)));
  }

  private async interrupt(signal: NodeJS.Signals): Promise<void> {
    const code = 128 + (os.constants.signals[signal] ?? 15);
    if (this.interrupted) process.exit(code);
    this.interrupted = true;
    const writes = [...this.pending];
    this.say(`\ninterrupted (${signal}): ${writes.length === 0 ? 'nothing in flight' : `cancelling ${writes.map((w) => w.what).join(', ')}`}; press Ctrl-C again to exit at once.`);
    await Promise.all(writes.map((w) => w.handle.cancel().catch(() => undefined)));
    await withDeadline(Promise.all(writes.map((w) => w.settled)), CANCEL_WAIT_MS);
    for (const w of writes) this.say(await outcome(w));
    await withDeadline(this.close().catch(() => undefined), CLOSE_WAIT_MS);
    process.exit(code);
  }
}

/** One line on what became of a cancelled write, from its workflow's state. */
async function outcome(write: Pending): Promise<string> {
  const status = await withDeadline(write.handle.describe().then((d) => d.status.name), 3_000).catch(() => undefined);
  switch (status) {
    case 'CANCELLED':
      return `${write.what}: cancelled; no version was made.`;
    case 'COMPLETED':
      return `${write.what}: had already committed before the cancel reached it; that version stands.`;
    case 'RUNNING':
      return `${write.what}: cancellation requested (workflow ${write.handle.workflowId}); no worker has acted on it yet, and it ends without a version when one does.`;
    default:
      return `${write.what}: workflow ${write.handle.workflowId} is ${status?.toLowerCase() ?? 'in an unknown state (the server did not answer)'}.`;
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
