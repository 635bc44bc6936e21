import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
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
 * SIGKILL after 5 s. A non-zero exit is a retryable failure carrying the end of stderr; a command that cannot
 * start is not retryable.
 */
export async function runCommand(command: CommandSpec, ctx: Context, what: string, failureType: string): Promise<void> {
  const [program] = command.argv;
  if (!program) throw ApplicationFailure.nonRetryable(`${what}: the command is empty; give argv such as ["node", "train.mjs"].`, 'UsageError');
  const tree = ProcessTree.spawn(command.argv, { cwd: command.cwd, env: { ...inheritedEnv(command.inheritEnv), ...command.env } });
  let stderr = '';
  tree.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
    process.stderr.write(d);
  });
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
      throw ApplicationFailure.nonRetryable(`${what}: cannot run ${JSON.stringify(program)}: ${exit.startError}. Check the command exists on this worker's PATH.`, failureType);
    }
    const code = 'code' in exit ? exit.code : exit.signal;
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      // The details say how the command ended, so the workflow can show the real exit code and attempt.
      throw ApplicationFailure.create({
        message: `${what}: command ${JSON.stringify(command.argv.join(' '))} exited with ${code}${tail ? `: ${tail}` : ''}`, type: failureType,
        details: [{ exitCode: typeof code === 'number' ? code : null, attempt: ctx.info.attempt }],
      });
    }
  } finally {
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', cancel);
  }
}
