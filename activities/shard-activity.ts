import path from 'node:path';
import { Context } from '@temporalio/activity';
import { runCommand, type CommandSpec } from './run-command';
import { makeScratchFolder, removeScratchFolder } from './scratch-folder';
import type { ManifestRef } from '../store/manifest/manifest';
import { stageSpec } from '../store/staging/stager';
import type { Store } from '../store/store';
import type { VersionRecord } from '../store/registry/registry';
import { downloadVersion } from '../store/reading/download';
import { recordRunUse } from '../store/registry/run-uses';
import { recordOf } from '../dsl/records';
import { createStepCacheActivities } from './step-cache-activities';
import { ArtifactsError } from '../errors';
import { toFailure } from '../errors/failure';
import type { ShardArg, ShardCommand, ShardInput, ShardResult, UsedVersionRef } from '../workflows/fan-out-types';

export interface RunShardInput {
  /** The fan-out's workflow id. */
  readonly fanOutId: string;
  readonly index: number;
  readonly count: number;
  readonly command: ShardCommand;
  /** Folder inside the artifact the shard's outputs go under ('' for the root). */
  readonly prefix: string;
  /** Versions to download here before the command runs (into ARTIFACTS_INPUTS_DIR/<name>). */
  readonly uses?: readonly UsedVersionRef[] | undefined;
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
  const cache = createStepCacheActivities(store);
  const activities = {
    /** Runs on the shared queue: whichever worker takes it answers with its own host queue. */
    async claimShardHost(): Promise<string> {
      return hostQueue();
    },

    async runShard(input: RunShardInput): Promise<ShardOutput> {
      const ctx = Context.current();
      const output = await makeScratchFolder(scratchRoot(), input.index);
      const inputs = input.uses?.length ? await makeScratchFolder(scratchRoot(), input.index) : undefined;
      try {
        const used = inputs ? await downloadUses(await store(), input.uses ?? [], inputs) : [];
        await runCommand(shardCommand(input, output, inputs), ctx, `Shard ${input.index}`);
        // Recorded once the command succeeded: the attempt whose outputs count is the one that used them. The shard's
        // id is its writer id in the draft (`<fan-out id>/shard-<i>`, as workflows/ids.ts makes it).
        const shard = `${input.fanOutId}/shard-${input.index}`;
        const host = hostQueue().slice(hostQueue().lastIndexOf('@') + 1);
        for (const v of used) await recordRunUse((await store()).registry.db, shard, v.name, v.index, host);
        const staged = await stageSpec(await store(), { format: 'temporal-artifacts/spec@1', ops: [{ op: 'dir', local: output, prefix: input.prefix }] }, {
          signal: ctx.cancellationSignal,
          onProgress: (progress) => ctx.heartbeat({ staging: progress.filesDone }),
        });
        return { manifest: staged.manifest, files: staged.files, bytes: staged.bytes, host: hostQueue() };
      } finally {
        await removeScratchFolder(output);
        if (inputs) await removeScratchFolder(inputs);
      }
    },

    /**
     * A whole shard as one activity on the fan-out's own queue: whichever worker takes it runs the command and stages
     * the outputs there, so no host needs claiming first. A lost worker (heartbeat timeout) is retried by Temporal on
     * whichever worker takes it next; a failure of the shard itself is final for this activity, and the fan-out
     * decides whether its attempts allow another. With a cache scope it first looks the shard up and afterwards
     * records it (best effort: a shard whose files could not be recorded only runs again next time).
     */
    async runShardTask(input: ShardInput): Promise<ShardResult> {
      const scope = input.cache;
      const cached = scope ? await cache.lookUpShard({ stepKey: scope.stepKey, index: input.index, count: input.count, item: input.command.item }) : undefined;
      if (cached?.hit) return { index: input.index, manifest: cached.hit.manifest, files: cached.hit.files, host: 'cache', attempts: 0, cached: true };
      const out = await activities.runShard({
        fanOutId: input.fanOutId, index: input.index, count: input.count, command: input.command, prefix: input.prefix, ...(input.uses ? { uses: input.uses } : {}),
      }).catch((err: unknown) => {
        throw err instanceof ArtifactsError ? toFailure(err, { nonRetryable: true }) : err;
      });
      if (scope && cached) {
        await cache.recordShard({ key: cached.key, pipeline: scope.pipeline, step: scope.step, run: scope.run, manifest: out.manifest, files: out.files }).catch(() => undefined);
      }
      return { index: input.index, manifest: out.manifest, files: out.files, host: out.host, attempts: 1 };
    },
  };
  return activities;
}

/** Downloads a shard's `uses` into `<inputs>/<name>` on this host (through its read cache when the store is remote). */
async function downloadUses(s: Store, uses: readonly UsedVersionRef[], inputs: string): Promise<VersionRecord[]> {
  const versions: VersionRecord[] = [];
  for (const u of uses) {
    const version = await s.registry.resolve(u.ref);
    await downloadVersion(s, version, path.join(inputs, u.name.split('/').pop()!));
    versions.push(version);
  }
  return versions;
}

function shardCommand(input: RunShardInput, output: string, inputs: string | undefined): CommandSpec {
  const values = { index: String(input.index), count: String(input.count), item: input.command.item ?? '', output };
  // One pass over the text: a value filled in is never scanned again for placeholders.
  const placeholders = (arg: string): string => arg.replace(/\{(index|count|item|output)\}/g, (_, key: keyof typeof values) => values[key]);
  const join = (arg: ShardArg): string => (typeof arg === 'string' ? arg : arg.map((p) => (typeof p === 'string' ? p : values[p.shard])).join(''));
  const env = recordOf(Object.entries(input.command.env ?? {}).map(([k, v]) => [k, join(v)]));
  return {
    argv: input.command.argv.map((arg) => (typeof arg === 'string' ? placeholders(arg) : join(arg))),
    cwd: input.command.cwd,
    inheritEnv: input.command.inheritEnv,
    env: {
      ...env, ARTIFACTS_SHARD_INDEX: values.index, ARTIFACTS_SHARD_COUNT: values.count, ARTIFACTS_SHARD_ITEM: values.item, ARTIFACTS_OUTPUT_DIR: output,
      ...(inputs ? { ARTIFACTS_INPUTS_DIR: inputs } : {}),
    },
  };
}
