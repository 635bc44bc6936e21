/**
 * One per worker process, started on its first command and living as long as it: `node process-tree-guard.js`,
 * in a session of its own (the worker spawns it detached), with an IPC channel to the worker. The worker runs each
 * step or shard command itself, as the leader of a fresh process group, and tells the guard the group's id as soon
 * as it is spawned (and again when the command ended).
 *
 * The channel is a lifeline: when the worker dies, even by SIGKILL, the channel closes and the guard ends every
 * group still watched (SIGTERM, then SIGKILL to what is left after the grace period), so no command or anything it
 * started outlives the worker that would otherwise run it a second time elsewhere. One guard per worker instead of
 * one per command: a command costs a fork of its own program and nothing more (a Node process each was most of a
 * 1,000-shard fan-out's CPU).
 */

/** What the worker tells its guard: a group to end if the worker dies, or one no longer to watch. */
export type GuardMessage = { readonly watch: number } | { readonly unwatch: number };

const GRACE_MS = Number(process.env['ARTIFACTS_KILL_GRACE_MS'] ?? 5000);

function main(): void {
  if (!process.send) process.exit(2);
  const groups = new Set<number>();
  process.on('message', (m: GuardMessage) => {
    if ('watch' in m) groups.add(m.watch);
    else groups.delete(m.unwatch);
  });
  // Signals meant for the worker's terminal or group are not the guard's to act on; only the lifeline ends it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  process.once('disconnect', () => {
    if (groups.size === 0) process.exit(0);
    for (const group of groups) signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    const poll = setInterval(() => {
      for (const group of groups) if (!signalGroup(group, 0)) groups.delete(group);
      if (groups.size > 0 && Date.now() < deadline) return;
      for (const group of groups) signalGroup(group, 'SIGKILL');
      clearInterval(poll);
      process.exit(0);
    }, 100);
  });
}

/** Sends `signal` to every process of the group (0: none, only asks whether it has any); false once it is empty. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

main();
