import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { checkProjectName, DEFAULT_PROJECT } from '../store/registry/ref';
import { ConfigError } from '../errors';

/** Everything a client or worker needs to know about where things run, read from the environment. */
export interface ArtifactsConfig {
  /** The embedded default's data folder. */
  readonly home: string;
  /** The project names are logged and looked up in (`ARTIFACTS_PROJECT`, default `default`). */
  readonly project: string;
  /** An existing Temporal frontend; undefined means the embedded dev server. */
  readonly temporalAddress: string | undefined;
  readonly namespace: string;
  /** Shared queue: workflows and store-only activities. */
  readonly taskQueue: string;
  /** This host's name; its queue runs the activities that read its local files. */
  readonly hostId: string;
  readonly registryUrl: string | undefined;
  readonly blobUrl: string | undefined;
  /** Cap of the local cache of a remote blob store's reads (`<home>/cache`); 0 turns the cache off. */
  readonly readCacheBytes: number | undefined;
  readonly maxBytesPerSecond: number | undefined;
  readonly heartbeatTimeoutMs: number;
  /** How long a write's file work may wait for a worker on the host queue before the write fails; unset: no limit. */
  readonly scheduleToStartTimeoutMs: number | undefined;
  /** `concurrency: latest` triggers deployed from here: how long a burst of versions may pause (default 10 s). */
  readonly triggerSettleMs: number | undefined;
  readonly apiKey: string | undefined;
  readonly tls: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ArtifactsConfig {
  return {
    home: artifactsHome(env),
    project: projectOf(env),
    temporalAddress: env['TEMPORAL_ADDRESS'] || undefined,
    namespace: env['TEMPORAL_NAMESPACE'] || 'default',
    taskQueue: env['ARTIFACTS_TASK_QUEUE'] || 'temporal-artifacts',
    hostId: env['ARTIFACTS_HOST_ID'] || os.hostname(),
    registryUrl: env['ARTIFACTS_REGISTRY'] || undefined,
    blobUrl: env['ARTIFACTS_STORE'] || undefined,
    readCacheBytes: env['ARTIFACTS_CACHE_MAX_BYTES'] === '0' ? 0 : positive(env, 'ARTIFACTS_CACHE_MAX_BYTES'),
    maxBytesPerSecond: positive(env, 'ARTIFACTS_MAX_BYTES_PER_SECOND'),
    heartbeatTimeoutMs: heartbeatTimeout(env),
    scheduleToStartTimeoutMs: positive(env, 'ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS'),
    triggerSettleMs: positive(env, 'ARTIFACTS_TRIGGER_SETTLE_MS'),
    apiKey: env['TEMPORAL_API_KEY'] || undefined,
    tls: env['TEMPORAL_TLS'] === 'true' || Boolean(env['TEMPORAL_API_KEY']),
  };
}

/** Where the embedded default keeps everything: `ARTIFACTS_HOME`, else `~/.temporal-artifacts`. */
export function artifactsHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env['ARTIFACTS_HOME'] || path.join(os.homedir(), '.temporal-artifacts'));
}

/** The task queue of one host: activities that read that host's files are scheduled here, retries included. */
export function hostQueueOf(config: ArtifactsConfig): string {
  return `${config.taskQueue}@${config.hostId}`;
}

/**
 * A task queue of this process alone, polled by its in-process worker: the file work of the writes it starts goes
 * there first, so a short-lived process never takes up (and drops on exit) file work of other runs on its host.
 */
export function processQueueOf(config: ArtifactsConfig): string {
  return `${hostQueueOf(config)}#${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Workers heartbeat a running copy once a second (more often is throttled by the SDK), so a timeout under two
 * seconds would time out healthy work and retry it without end.
 */
const MIN_HEARTBEAT_TIMEOUT_MS = 2000;

function heartbeatTimeout(env: NodeJS.ProcessEnv): number {
  const ms = positive(env, 'ARTIFACTS_HEARTBEAT_TIMEOUT_MS') ?? 30_000;
  if (ms < MIN_HEARTBEAT_TIMEOUT_MS) {
    throw new ConfigError(`ARTIFACTS_HEARTBEAT_TIMEOUT_MS=${ms} is below ${MIN_HEARTBEAT_TIMEOUT_MS}: workers heartbeat once a second, so healthy work would time out and be retried; set it to ${MIN_HEARTBEAT_TIMEOUT_MS} or more.`);
  }
  return ms;
}

function projectOf(env: NodeJS.ProcessEnv): string {
  const raw = env['ARTIFACTS_PROJECT'];
  if (!raw) return DEFAULT_PROJECT;
  try {
    return checkProjectName(raw);
  } catch (err) {
    throw new ConfigError(`ARTIFACTS_PROJECT=${raw}: ${(err as Error).message}`);
  }
}

function positive(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${key}=${raw} is not a positive number; unset it or give a number such as 1000000.`);
  return n;
}
