import type { Context } from '@temporalio/activity';
import { CommandFailedError, CommandStartError, UsageError } from '../errors';
import { ProcessTree } from './process-tree';

export interface CommandSpec {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  /** Which of the worker's environment variables the command sees: all (the default), none, or the names listed. */
  readonly inheritEnv?: boolean | readonly string[] | undefined;
}

/** The part of this worker's environment a command inherits (its own `env` is laid over it). */
function inheritedEnv(inherit: CommandSpec['inheritEnv']): NodeJS.ProcessEnv {
  if (inherit === undefined || inherit === true) return process.env;
  if (inherit === false) return {};
  return Object.fromEntries(inherit.filter((name) => Object.hasOwn(process.env, name)).map((name) => [name, process.env[name]]));
}

/** Between SIGTERM and SIGKILL when a command's tree is ended. */
const KILL_GRACE_MS = 5000;

/**
 * Runs a command as an activity's work: no shell (argv as given), in a process group of its own (see ProcessTree),
 * heartbeating every second so a lost worker is noticed and cancellation reaches it. Cancellation for any reason
 * (the run cancelled, the heartbeat lost, the worker shutting down) ends the command's whole tree: SIGTERM, then
 * SIGKILL after 5 s. A non-zero exit is a CommandFailedError (retryable) saying how it ended, in which attempt,
 * with the end of stderr; a command that cannot start is a CommandStartError.
 */
export async function runCommand(command: CommandSpec, ctx: Context, what: string): Promise<void> {
  const [program] = command.argv;
  if (!program) throw new UsageError(`${what}: the command is empty; give argv such as ["node", "train.mjs"].`);
  const tree = ProcessTree.spawn(command.argv, { cwd: command.cwd, env: { ...inheritedEnv(command.inheritEnv), ...command.env } });
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  let ended: Promise<void> | undefined;
  const cancel = (): void => {
    ended = tree.end(KILL_GRACE_MS);
  };
  ctx.cancellationSignal.addEventListener('abort', cancel);
  try {
    const exit = await tree.exited;
    if (ctx.cancellationSignal.aborted) {
      await ended;
      throw ctx.cancellationSignal.reason;
    }
    if ('startError' in exit) {
      throw new CommandStartError(what, program, exit.startError);
    }
    const exitCode = 'code' in exit ? exit.code : null;
    if (exitCode !== 0) {
      const tail = exit.stderr.trim().split('\n').slice(-5).join('\n');
      // The details say how the command ended, so the workflow can show the real exit code and attempt.
      const signal = 'signal' in exit ? exit.signal : null;
      throw new CommandFailedError({ what, argv: command.argv, exitCode, signal, attempt: ctx.info.attempt, stderr: tail });
    }
  } finally {
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', cancel);
  }
}
