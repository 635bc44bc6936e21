import { spawn } from 'node:child_process';
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

export interface CommandSpec {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
}

/**
 * Runs a command as an activity's work: no shell (argv as given), heartbeats every second so a lost worker is
 * noticed and cancellation reaches it, SIGTERM on cancellation (SIGKILL after 5 s). A non-zero exit is a
 * retryable failure carrying the end of stderr; a command that cannot start is not retryable.
 */
export async function runCommand(command: CommandSpec, ctx: Context, what: string, failureType: string): Promise<void> {
  const [program, ...args] = command.argv;
  if (!program) throw ApplicationFailure.nonRetryable(`${what}: the command is empty; give argv such as ["node", "train.mjs"].`, 'UsageError');
  const child = spawn(program, args, { cwd: command.cwd, env: { ...process.env, ...command.env }, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
    process.stderr.write(d);
  });
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  let killTimer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
  };
  ctx.cancellationSignal.addEventListener('abort', cancel);
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, signal) => resolve(c ?? signal ?? -1));
    });
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      throw ApplicationFailure.retryable(`${what}: command ${JSON.stringify(command.argv.join(' '))} exited with ${code}${tail ? `: ${tail}` : ''}`, failureType);
    }
  } catch (err) {
    if (err instanceof ApplicationFailure || ctx.cancellationSignal.aborted) throw err;
    throw ApplicationFailure.nonRetryable(`${what}: cannot run ${JSON.stringify(program)}: ${(err as Error).message}. Check the command exists on this worker's PATH.`, failureType);
  } finally {
    clearInterval(beat);
    if (killTimer) clearTimeout(killTimer);
    ctx.cancellationSignal.removeEventListener('abort', cancel);
  }
}
