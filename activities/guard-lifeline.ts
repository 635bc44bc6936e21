import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { GuardMessage } from './process-tree-guard';

/**
 * This process's side of its guard (process-tree-guard.ts): the guard is started on the first command and kept,
 * unreferenced, so it never holds the process open; the groups of the commands running now are told to it. A guard
 * that died (killed by someone) is started again at the next change and told every group still running.
 */
class GuardLifeline {
  private guard: ChildProcess | undefined;
  private readonly groups = new Set<number>();

  /**
   * Watches a command's group from now on. Called right after the spawn: the message is written to the channel
   * before control returns, so only a worker killed in the microseconds between the fork and that write could leave
   * the command behind.
   */
  watch(group: number): void {
    this.groups.add(group);
    this.tell({ watch: group });
  }

  unwatch(group: number): void {
    if (!this.groups.delete(group)) return;
    this.tell({ unwatch: group });
  }

  private tell(message: GuardMessage): void {
    // A new guard is told every group still running, this one included.
    if (this.guard?.connected) send(this.guard, message);
    else this.start();
  }

  private start(): void {
    const guard = spawn(process.execPath, [path.join(__dirname, 'process-tree-guard.js')], {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    guard.unref();
    guard.channel?.unref();
    // A guard that cannot start leaves commands unguarded, not failed: they still end on cancel and shutdown.
    guard.on('error', () => undefined);
    this.guard = guard;
    for (const group of this.groups) send(guard, { watch: group });
  }
}

function send(guard: ChildProcess, message: GuardMessage): void {
  // A guard gone meanwhile is replaced at the next message; its error is not the command's.
  guard.send(message, () => undefined);
}

/** The one lifeline of this process. */
export const guardLifeline = new GuardLifeline();
