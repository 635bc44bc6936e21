/**
 * One per worker process, started on its first command and living as long as it: `node process-tree-guard.js`, in
 * a session of its own (the worker spawns it detached), with an IPC channel to the worker. The guard starts every
 * step or shard command the worker asks for, each as the leader of a fresh process group, so the worker (or the
 * guard) ends a command and everything it started with one signal to the group.
 *
 * Why a process apart: a fork of this small process costs ~1 ms of CPU, against ~8 ms (and 20-40 ms of a blocked
 * event loop on a loaded machine) for a fork of a worker with a few hundred MiB mapped; and the channel is a
 * lifeline: when the worker dies, even by SIGKILL, the channel closes and the guard ends every group it started
 * (SIGTERM, then SIGKILL to what is left after the grace period), so no command outlives the worker that would
 * otherwise run it a second time elsewhere. One guard per worker, not one per command: a Node process each was
 * most of a 1,000-shard fan-out's CPU.
 */
import { spawn } from 'node:child_process';

/** How a command ended: its exit code or signal, or why it could not start. */
export type TreeExit = { readonly code: number } | { readonly signal: string } | { readonly startError: string };

/** What the worker asks of its guard: start a command (with `id`, the worker's name for it). */
export interface GuardRequest {
  readonly id: number;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** What the guard tells the worker: a command started (its group), or ended (with the end of its stderr). */
export type GuardReply = { readonly id: number; readonly group: number } | { readonly id: number; readonly exit: TreeExit; readonly stderr: string };

const GRACE_MS = Number(process.env['ARTIFACTS_KILL_GRACE_MS'] ?? 5000);
/** The end of a command's stderr kept for its failure message. */
const STDERR_TAIL = 2000;
/** How long an ended command's stderr may still be read (a grandchild may hold it open). */
const STDERR_LINGER_MS = 100;

function main(): void {
  if (!process.send) process.exit(2);
  const groups = new Set<number>();
  process.on('message', (request: GuardRequest) => start(request, groups));
  // Signals meant for the worker's terminal or group are not the guard's to act on; only the lifeline ends it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  process.once('disconnect', () => endAll(groups));
}

function start({ id, argv, cwd, env }: GuardRequest, groups: Set<number>): void {
  const [program, ...args] = argv;
  // detached: the command leads a new session and process group, whose id is its pid. Its stdout is the worker's.
  const child = spawn(program ?? '', args, { cwd, env, detached: true, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    process.stderr.write(d);
  });
  child.once('error', (err) => {
    if (child.pid === undefined) reply({ id, exit: { startError: err.message }, stderr: '' });
  });
  const group = child.pid;
  if (group === undefined) return;
  groups.add(group);
  reply({ id, group });
  child.once('exit', (code, signal) => {
    groups.delete(group);
    const exit = code !== null ? { code } : { signal: signal ?? 'unknown' };
    const send = (): void => reply({ id, exit, stderr });
    // The last lines a command wrote before it ended may still be in the pipe.
    if (child.stderr.readableEnded) return send();
    const timer = setTimeout(send, STDERR_LINGER_MS);
    child.stderr.once('end', () => {
      clearTimeout(timer);
      send();
    });
  });
}

function reply(message: GuardReply): void {
  // Without the worker there is no one to tell; its groups are being ended (endAll).
  if (process.connected) process.send?.(message, () => undefined);
}

/** The worker is gone: ends every group still running, SIGKILL for what is left after the grace period. */
function endAll(groups: Set<number>): void {
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

if (require.main === module) main();
