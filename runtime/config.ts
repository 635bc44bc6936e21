import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';

/** Everything a client or worker needs to know about where things run, read from the environment. */
export interface ArtifactsConfig {
  /** The embedded default's data folder. */
  readonly home: string;
  /** An existing Temporal frontend; undefined means the embedded dev server. */
  readonly temporalAddress: string | undefined;
  readonly namespace: string;
  /** Shared queue: workflows and store-only activities. */
  readonly taskQueue: string;
  /** This host's name; its queue runs the activities that read its local files. */
  readonly hostId: string;
  readonly registryUrl: string | undefined;
  readonly blobUrl: string | undefined;
  readonly maxBytesPerSecond: number | undefined;
  readonly heartbeatTimeoutMs: number;
  readonly apiKey: string | undefined;
  readonly tls: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ArtifactsConfig {
  return {
    home: artifactsHome(env),
    temporalAddress: env['TEMPORAL_ADDRESS'] || undefined,
    namespace: env['TEMPORAL_NAMESPACE'] || 'default',
    taskQueue: env['ARTIFACTS_TASK_QUEUE'] || 'temporal-artifacts',
    hostId: env['ARTIFACTS_HOST_ID'] || os.hostname(),
    registryUrl: env['ARTIFACTS_REGISTRY'] || undefined,
    blobUrl: env['ARTIFACTS_STORE'] || undefined,
    maxBytesPerSecond: positive(env, 'ARTIFACTS_MAX_BYTES_PER_SECOND'),
    heartbeatTimeoutMs: positive(env, 'ARTIFACTS_HEARTBEAT_TIMEOUT_MS') ?? 30_000,
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

function positive(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${key}=${raw} is not a positive number; unset it or give a number such as 1000000.`);
  return n;
}
