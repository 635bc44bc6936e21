/**
 * Runs as its own process, leader of a fresh process group (the worker spawns it detached), between the worker and
 * a step or shard command: `node process-tree-guard.js PROGRAM ARGS...`. The command and everything it starts
 * share the guard's group, so the worker ends the whole tree with one signal to the group.
 *
 * The IPC channel to the worker is a lifeline: when the worker dies, even by SIGKILL, the channel closes and the
 * guard ends the tree itself (SIGTERM to the group, SIGKILL after the grace period), so no command outlives the
 * worker that would otherwise run it a second time elsewhere. The channel also carries a failure to start the
 * command, which a plain exit code could not tell apart from the command's own exit.
 */
import { spawn } from 'node:child_process';

export interface GuardMessage {
  /** The command could not be started (not found, not executable...). */
  readonly startError: string;
}

const GRACE_MS = Number(process.env['ARTIFACTS_KILL_GRACE_MS'] ?? 5000);

function main(): void {
  const [program, ...args] = process.argv.slice(2);
  if (!program || !process.send) process.exit(2);
  // The worker signals the whole group; the guard stays to report how the command ended.
  process.on('SIGTERM', () => undefined);
  const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('error', (err) => {
    process.send?.({ startError: err.message } satisfies GuardMessage, () => process.exit(127));
  });
  let orphaned = false;
  child.once('exit', (code, signal) => {
    // Orphaned, the guard stays until the grace period's SIGKILL, so stubborn grandchildren go with it.
    if (orphaned) return;
    if (code !== null) process.exit(code);
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, signal ?? 'SIGKILL');
  });
  process.once('disconnect', () => {
    orphaned = true;
    endGroup();
  });
}

function endGroup(): void {
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
}

function signalGroup(signal: NodeJS.Signals): void {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // The group is already empty.
  }
}

main();
