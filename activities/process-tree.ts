import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { GuardMessage } from './process-tree-guard';

/** How a command ended: its exit code or signal, or why it could not start. */
export type TreeExit = { readonly code: number } | { readonly signal: string } | { readonly startError: string };

/**
 * A command run in a process group of its own, under a guard process (see process-tree-guard.ts), so that
 * cancelling it ends everything it started, grandchildren included, and a worker killed outright takes its
 * commands with it instead of leaving them running while a retry runs them again elsewhere.
 */
export class ProcessTree {
  /** Resolves when the command has ended. */
  readonly exited: Promise<TreeExit>;

  private constructor(private readonly guard: ChildProcess) {
    let startError: string | undefined;
    guard.on('message', (m: GuardMessage) => (startError = m.startError));
    this.exited = new Promise((resolve) => {
      guard.once('error', (err) => resolve({ startError: err.message }));
      guard.once('exit', (code, signal) => resolve(startError !== undefined ? { startError } : code !== null ? { code } : { signal: signal ?? 'unknown' }));
    });
  }

  static spawn(argv: readonly string[], options: { readonly cwd?: string | undefined; readonly env: NodeJS.ProcessEnv }): ProcessTree {
    const guard = spawn(process.execPath, [path.join(__dirname, 'process-tree-guard.js'), ...argv], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    return new ProcessTree(guard);
  }

  get stderr(): Readable {
    return this.guard.stderr!;
  }

  /**
   * Ends the whole tree: SIGTERM to the group, then SIGKILL to what is left after `graceMs`. Resolves once the
   * group is empty, so a retry elsewhere never overlaps with this attempt.
   */
  async end(graceMs: number): Promise<void> {
    const group = this.guard.pid;
    if (group === undefined) return;
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
