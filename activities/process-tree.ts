import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { guardLifeline } from './guard-lifeline';

/** How a command ended: its exit code or signal, or why it could not start. */
export type TreeExit = { readonly code: number } | { readonly signal: string } | { readonly startError: string };

/**
 * A command run as the leader of a process group of its own, so that cancelling it ends everything it started,
 * grandchildren included, and watched by this process's guard (see process-tree-guard.ts), so that a worker killed
 * outright takes its commands with it instead of leaving them running while a retry runs them again elsewhere.
 */
export class ProcessTree {
  /** Resolves when the command has ended. */
  readonly exited: Promise<TreeExit>;
  /** Set once end() began: the guard then watches the group until it is empty, not only until the command exits. */
  private ending = false;

  private constructor(private readonly child: ChildProcess) {
    const group = child.pid;
    if (group !== undefined) guardLifeline.watch(group);
    this.exited = new Promise((resolve) => {
      // A command that cannot start (not found, not executable) has no pid and only an 'error'.
      child.once('error', (err) => {
        if (child.pid === undefined) resolve({ startError: err.message });
      });
      child.once('exit', (code, signal) => {
        if (group !== undefined && !this.ending) guardLifeline.unwatch(group);
        resolve(code !== null ? { code } : { signal: signal ?? 'unknown' });
      });
    });
  }

  static spawn(argv: readonly string[], options: { readonly cwd?: string | undefined; readonly env: NodeJS.ProcessEnv }): ProcessTree {
    const [program, ...args] = argv;
    // detached: the command leads a new session and process group, whose id is its pid.
    return new ProcessTree(spawn(program!, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'inherit', 'pipe'] }));
  }

  get stderr(): Readable {
    return this.child.stderr!;
  }

  /**
   * Ends the whole tree: SIGTERM to the group, then SIGKILL to what is left after `graceMs`. Resolves once the
   * group is empty, so a retry elsewhere never overlaps with this attempt.
   */
  async end(graceMs: number): Promise<void> {
    const group = this.child.pid;
    if (group === undefined) return;
    this.ending = true;
    signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(group)) {
      if (Date.now() >= deadline) {
        signalGroup(group, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.exited;
    guardLifeline.unwatch(group);
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // The group is already empty.
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}
