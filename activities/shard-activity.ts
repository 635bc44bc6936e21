import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ManifestRef } from '../store/manifest';
import { stageSpec } from '../store/stager';
import type { Store } from '../store/store';
import type { ShardCommand } from '../workflows/fan-out-types';

export interface RunShardInput {
  /** The fan-out's workflow id: names the shard's scratch folder. */
  readonly fanOutId: string;
  readonly index: number;
  readonly count: number;
  readonly command: ShardCommand;
  /** Folder inside the artifact the shard's outputs go under ('' for the root). */
  readonly prefix: string;
}

export interface ShardOutput {
  readonly manifest: ManifestRef;
  readonly files: number;
  readonly bytes: number;
  /** The host queue the shard ran and staged on. */
  readonly host: string;
}

/**
 * Shard work: run a command on this worker with its shard index, the shard count and an empty output folder,
 * then stage that folder here, where the files are. `{index}`, `{count}` and `{output}` in argv are replaced,
 * and ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT and ARTIFACTS_OUTPUT_DIR are set. A non-zero exit is a
 * retryable failure naming the shard, the command and the end of its stderr.
 */
export function createShardActivities(store: () => Promise<Store>, hostQueue: () => string) {
  return {
    /** Runs on the shared queue: whichever worker takes it answers with its own host queue. */
    async claimShardHost(): Promise<string> {
      return hostQueue();
    },

    async runShard(input: RunShardInput): Promise<ShardOutput> {
      const ctx = Context.current();
      const safeId = input.fanOutId.replace(/[^A-Za-z0-9._-]+/g, '_');
      const output = path.join(os.tmpdir(), 'artifacts-shards', safeId, `${input.index}-${process.pid}-${ctx.info.attempt}`);
      fs.rmSync(output, { recursive: true, force: true });
      fs.mkdirSync(output, { recursive: true });
      try {
        await runCommand(input, output, ctx);
        const staged = await stageSpec(await store(), { format: 'temporal-artifacts/spec@1', ops: [{ op: 'dir', local: output, prefix: input.prefix }] }, {
          signal: ctx.cancellationSignal,
          onProgress: (progress) => ctx.heartbeat({ staging: progress.filesDone }),
        });
        return { manifest: staged.manifest, files: staged.files, bytes: staged.bytes, host: hostQueue() };
      } finally {
        fs.rmSync(output, { recursive: true, force: true });
      }
    },
  };
}

async function runCommand(input: RunShardInput, output: string, ctx: Context): Promise<void> {
  const fill = (arg: string): string => arg.replaceAll('{index}', String(input.index)).replaceAll('{count}', String(input.count)).replaceAll('{output}', output);
  const [program, ...args] = input.command.argv.map(fill);
  if (!program) throw ApplicationFailure.nonRetryable(`Shard ${input.index}: the command is empty; give argv such as ["python", "eval.py"].`, 'UsageError');
  const child = spawn(program, args, {
    cwd: input.command.cwd,
    env: { ...process.env, ...input.command.env, ARTIFACTS_SHARD_INDEX: String(input.index), ARTIFACTS_SHARD_COUNT: String(input.count), ARTIFACTS_OUTPUT_DIR: output },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-1000)));
  const beat = setInterval(() => ctx.heartbeat({ running: input.index }), 1000);
  const cancel = (): void => void child.kill('SIGTERM');
  ctx.cancellationSignal.addEventListener('abort', cancel);
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, signal) => resolve(c ?? signal ?? -1));
    });
    if (code !== 0) {
      throw ApplicationFailure.retryable(`Shard ${input.index}: command ${JSON.stringify(input.command.argv.join(' '))} exited with ${code}${stderr ? `: ${stderr.trim()}` : ''}`, 'ShardCommandError');
    }
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw ApplicationFailure.nonRetryable(`Shard ${input.index}: cannot run ${JSON.stringify(program)}: ${(err as Error).message}. Check the command exists on every worker.`, 'ShardCommandError');
  } finally {
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', cancel);
  }
}
