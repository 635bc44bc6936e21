import { defineQuery } from '@temporalio/workflow';
import type { FailedShard } from '../errors/draft-errors';
import type { ManifestRef } from '../store/manifest/manifest';
import type { VersionRecord } from '../store/registry/registry';
import type { DraftOptions } from './draft-types';

/** Part of a shard's argument: literal text, or one of the shard's own values, filled in where the shard runs. */
export type ShardPiece = string | { readonly shard: 'index' | 'count' | 'item' | 'output' };

/**
 * An argv item or env value of a shard: a string, in whose argv items `{index}`, `{count}`, `{item}` and
 * `{output}` are replaced (env strings are kept as they are), or pieces joined as they are, so no text of
 * theirs is ever read as a placeholder (pipelines pass pieces: a param value may contain "{output}").
 */
export type ShardArg = string | readonly ShardPiece[];

/**
 * The work of one shard: a command run on whichever worker takes the shard. `{index}`, `{count}` and `{output}`
 * in argv are replaced (see ShardArg), and the same values arrive as ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT and
 * ARTIFACTS_OUTPUT_DIR. Whatever the command writes into the output folder becomes the shard's files.
 */
export interface ShardCommand {
  readonly argv: readonly ShardArg[];
  /** This shard's item when the fan-out runs over `items`: `{item}` in argv, and ARTIFACTS_SHARD_ITEM. */
  readonly item?: string;
  readonly env?: Readonly<Record<string, ShardArg>>;
  readonly cwd?: string;
  /** Which of the worker's environment variables the command sees: all (the default), none, or the names listed. */
  readonly inheritEnv?: boolean | readonly string[];
}

export interface FanOutOptions {
  readonly name: string;
  readonly type: string;
  /** The draft the shards write into (default: the fan-out's workflow id). */
  readonly distributedId?: string;
  readonly shards: number;
  readonly command: ShardCommand;
  /** One item per shard (then `shards` is their number): shard i gets items[i] as `{item}`. */
  readonly items?: readonly string[];
  /** Folder inside the artifact for every shard's outputs (default: the root). `{index}` is replaced. */
  readonly prefix?: string;
  /** Shards running at once (default 500). */
  readonly maxConcurrent?: number;
  /** Fraction of shards that must succeed for the version to be committed (default 1: all). */
  readonly minSuccessRatio?: number;
  /** Times a shard is tried, each time on whichever worker claims it (default 3). */
  readonly shardAttempts?: number;
  /** How long a shard's command may go without a heartbeat before its worker counts as lost (default 30 s). */
  readonly shardHeartbeatTimeoutMs?: number;
  readonly aliases?: readonly string[];
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly draft?: DraftOptions;
  /** Continue-as-new after this many history events (default 10,000). */
  readonly continueAsNewAfterEvents?: number;
  /** Contributions sent to the draft in one update (default 200). */
  readonly contributeBatch?: number;
  /**
   * Versions every shard downloads on the host it runs on, before its command, into `ARTIFACTS_INPUTS_DIR/<name>`
   * (through that host's read cache); the fan-out's version records them as its inputs. Refs are resolved once,
   * when the fan-out starts, so every shard reads the same versions.
   */
  readonly uses?: readonly string[];
}

/** A version a fan-out's shards use, as resolved when it started: its registry name, index and `name:vN`. */
export interface UsedVersionRef {
  readonly name: string;
  readonly index: number;
  readonly ref: string;
}

/** Progress a fan-out carries across continue-as-new. */
export interface FanOutProgress {
  readonly next: number;
  readonly succeeded: number;
  readonly failedShards: readonly number[];
  readonly errors: readonly FailedShard[];
  readonly batches: number;
  readonly generation: number;
  readonly cached?: number;
}

export interface FanOutInput extends FanOutOptions {
  readonly progress?: FanOutProgress;
  /** A pipeline step's cache key: each shard is then looked up and recorded under a key of its own. */
  readonly stepCache?: ShardCacheScope;
  /** `uses`, resolved by the client that started the fan-out. */
  readonly usesResolved?: readonly UsedVersionRef[];
}

/** Where a pipeline fan-out's shards are cached: under keys derived from the step's key. */
export interface ShardCacheScope {
  readonly stepKey: string;
  readonly pipeline: string;
  readonly step: string;
  readonly run: string;
}

export interface ShardInput {
  readonly fanOutId: string;
  readonly index: number;
  readonly count: number;
  readonly command: ShardCommand;
  readonly prefix: string;
  readonly attempts: number;
  readonly heartbeatTimeoutMs: number;
  /** Set in a pipeline step with a cache key: a shard whose key has recorded files does not run. */
  readonly cache?: ShardCacheScope;
  readonly uses?: readonly UsedVersionRef[];
}

export interface ShardResult {
  readonly index: number;
  readonly manifest: ManifestRef;
  readonly files: number;
  readonly host: string;
  readonly attempts: number;
  /** True when the shard's files are the ones recorded under its cache key (its command did not run). */
  readonly cached?: boolean;
}

export interface FanOutResult {
  readonly version: VersionRecord;
  readonly created: boolean;
  readonly shards: number;
  readonly succeeded: number;
  /** Shards that failed after their retries (allowed by minSuccessRatio), with the first errors. */
  readonly failedShards: readonly number[];
  readonly errors: readonly FailedShard[];
  /** Runs of the fan-out workflow (continue-as-new generations). */
  readonly generations: number;
  /** Shards whose recorded files were used instead of running them (pipeline steps with a cache key). */
  readonly cachedShards?: number;
}

/** How many shards have ended (succeeded or failed) so far, over every run of the fan-out: for progress views. */
export const shardsDoneQuery = defineQuery<number>('fanOutShardsDone');
