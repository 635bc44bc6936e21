import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { GuardReply, GuardRequest, TreeExit } from './process-tree-guard';

export type { TreeExit } from './process-tree-guard';

/** How a command ended, with the end of its stderr. */
export type TreeEnd = TreeExit & { readonly stderr: string };

/**
 * A command run as the leader of a process group of its own, started by this process's guard (see
 * process-tree-guard.ts), so that cancelling it ends everything it started, grandchildren included, and a worker
 * killed outright takes its commands with it instead of leaving them running while a retry runs them again elsewhere.
 */
export class ProcessTree {
  /** Resolves when the command has ended. */
  readonly exited: Promise<TreeEnd>;
  /** The command's process group, once it started (undefined if it could not). */
  private readonly group: Promise<number | undefined>;

  private constructor(run: { readonly group: Promise<number | undefined>; readonly exited: Promise<TreeEnd> }) {
    this.group = run.group;
    this.exited = run.exited;
  }

  static spawn(argv: readonly string[], options: { readonly cwd?: string | undefined; readonly env: NodeJS.ProcessEnv }): ProcessTree {
    return new ProcessTree(guard.run(argv, options.cwd ?? process.cwd(), options.env));
  }

  /**
   * Ends the whole tree: SIGTERM to the group, then SIGKILL to what is left after `graceMs`. Resolves once the
   * group is empty, so a retry elsewhere never overlaps with this attempt.
   */
  async end(graceMs: number): Promise<void> {
    const group = await this.group;
    if (group === undefined) return;
    signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (signalGroup(group, 0)) {
      if (Date.now() >= deadline) {
        signalGroup(group, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.exited;
  }
}

interface Pending {
  /** The guard that runs it. */
  readonly guard: ChildProcess;
  group: number | undefined;
  readonly started: (group: number | undefined) => void;
  readonly ended: (end: TreeEnd) => void;
}

/**
 * This process's side of its guard: started on the first command and kept, holding the process open only while
 * commands run. A guard that died (killed by someone) takes the groups of the commands it was running with it (they
 * are killed here, and end as killed: a retry runs them again); the next command starts a new guard.
 */
class GuardConnection {
  private guard: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  run(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): { group: Promise<number | undefined>; exited: Promise<TreeEnd> } {
    const id = this.nextId++;
    let started!: (group: number | undefined) => void;
    const group = new Promise<number | undefined>((resolve) => (started = resolve));
    const runner = this.connected();
    const exited = new Promise<TreeEnd>((ended) => this.pending.set(id, { guard: runner, group: undefined, started, ended }));
    // A command running keeps this process alive, as a child of its own would; an idle guard does not.
    runner.channel?.ref();
    const request: GuardRequest = { id, argv, cwd, env };
    runner.send(request, (err) => {
      if (err) this.settle(id, { startError: `the worker's process-tree guard could not be reached (${err.message})`, stderr: '' });
    });
    return { group, exited };
  }

  private connected(): ChildProcess {
    if (this.guard?.connected) return this.guard;
    const guard = spawn(process.execPath, [path.join(__dirname, 'process-tree-guard.js')], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    guard.unref();
    guard.channel?.unref();
    guard.on('message', (m: GuardReply) => this.heard(m));
    guard.on('error', () => undefined);
    guard.once('exit', (code, signal) => this.lost(guard, code ?? signal ?? 'unknown'));
    this.guard = guard;
    return guard;
  }

  private heard(m: GuardReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('group' in m) {
      p.group = m.group;
      p.started(m.group);
    } else {
      this.settle(m.id, { ...m.exit, stderr: m.stderr });
    }
  }

  private settle(id: number, end: TreeEnd): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (![...this.pending.values()].some((q) => q.guard === p.guard)) p.guard.channel?.unref();
    p.started(p.group);
    p.ended(end);
  }

  /** The guard ended while commands ran: nothing could tell how they end, so they end now, killed. */
  private lost(guard: ChildProcess, how: number | string): void {
    if (this.guard === guard) this.guard = undefined;
    for (const [id, p] of [...this.pending]) {
      if (p.guard !== guard) continue;
      if (p.group !== undefined) signalGroup(p.group, 'SIGKILL');
      const stderr = `the worker's process-tree guard ended (${how}) while the command ran; its process group was killed`;
      this.settle(id, p.group === undefined ? { startError: stderr, stderr: '' } : { signal: 'SIGKILL', stderr });
    }
  }
}

const guard = new GuardConnection();

/** Sends `signal` to every process of the group (0: none, only asks whether it has any); false once it is empty. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}
