import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import { runCommand, type CommandSpec } from './run-command';
import { makeScratchFolder } from './scratch-folder';
import type { ManifestRef } from '../store/manifest/manifest';
import { stageSpec } from '../store/staging/stager';
import type { Store } from '../store/store';
import { recordOf } from '../dsl/records';
import type { ShardArg, ShardCommand } from '../workflows/fan-out-types';

export interface RunShardInput {
  /** The fan-out's workflow id. */
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
 * then stage that folder here, where the files are (the folder is private to this user, see makeScratchFolder). `{index}`, `{count}`, `{item}` and `{output}` in argv are
 * replaced, and ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT, ARTIFACTS_SHARD_ITEM and ARTIFACTS_OUTPUT_DIR are set. A non-zero exit is a
 * retryable failure naming the shard, the command and the end of its stderr.
 */
export function createShardActivities(store: () => Promise<Store>, hostQueue: () => string, scratchRoot: () => string) {
  return {
    /** Runs on the shared queue: whichever worker takes it answers with its own host queue. */
    async claimShardHost(): Promise<string> {
      return hostQueue();
    },

    async runShard(input: RunShardInput): Promise<ShardOutput> {
      const ctx = Context.current();
      const output = makeScratchFolder(scratchRoot(), input.index);
      try {
        await runCommand(shardCommand(input, output), ctx, `Shard ${input.index}`);
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

function shardCommand(input: RunShardInput, output: string): CommandSpec {
  const values = { index: String(input.index), count: String(input.count), item: input.command.item ?? '', output };
  // One pass over the text: a value filled in is never scanned again for placeholders.
  const placeholders = (arg: string): string => arg.replace(/\{(index|count|item|output)\}/g, (_, key: keyof typeof values) => values[key]);
  const join = (arg: ShardArg): string => (typeof arg === 'string' ? arg : arg.map((p) => (typeof p === 'string' ? p : values[p.shard])).join(''));
  const env = recordOf(Object.entries(input.command.env ?? {}).map(([k, v]) => [k, join(v)]));
  return {
    argv: input.command.argv.map((arg) => (typeof arg === 'string' ? placeholders(arg) : join(arg))),
    cwd: input.command.cwd,
    inheritEnv: input.command.inheritEnv,
    env: { ...env, ARTIFACTS_SHARD_INDEX: values.index, ARTIFACTS_SHARD_COUNT: values.count, ARTIFACTS_SHARD_ITEM: values.item, ARTIFACTS_OUTPUT_DIR: output },
  };
}
