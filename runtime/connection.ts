import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ArtifactsConfig } from './config';
import { ensureDevServer } from './dev-server';
import { ServerWatch } from './server-watch';
import { ConfigError } from '../errors';

export interface Connections {
  readonly address: string;
  readonly client: Client;
  /** For workers in this process, opened on first use. */
  readonly native: () => Promise<NativeConnection>;
  /** The Web UI, when the embedded dev server runs one. */
  readonly uiUrl: string | undefined;
  /** Notices the server going away and coming back (restarting the embedded one), and says so once. */
  readonly watch: ServerWatch;
  close(): Promise<void>;
}

/**
 * Connects to TEMPORAL_ADDRESS when set; otherwise to the data folder's shared dev server, starting it first if
 * no process has yet.
 */
export async function connect(config: ArtifactsConfig): Promise<Connections> {
  let address = config.temporalAddress;
  let uiUrl: string | undefined;
  if (!address) {
    const server = await ensureDevServer(config.home);
    address = server.address;
    uiUrl = server.uiUrl;
  }
  const options = { address, tls: config.tls, ...(config.apiKey ? { apiKey: config.apiKey } : {}) };
  const watch = new ServerWatch(config, address);
  const interceptors = [makeGrpcRetryInterceptor(outageRetry(watch))];
  // Reconnect within seconds of a restarted server answering again (gRPC's default backoff grows to two minutes).
  const channelArgs = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 };
  const connection = await retry(() => Connection.connect({ ...options, interceptors, channelArgs }), address);
  const client = new Client({ connection, namespace: config.namespace });
  await retry(() => client.workflowService.describeNamespace({ namespace: config.namespace }), address);
  watch.start();
  let native: Promise<NativeConnection> | undefined;
  return {
    address,
    client,
    uiUrl,
    watch,
    native: () => (native ??= NativeConnection.connect(options)),
    async close() {
      watch.stop();
      if (native) await (await native).close();
      await connection.close();
    },
  };
}

/** gRPC status UNAVAILABLE: the call did not reach the server (refused, reset, or its connection is gone). */
const UNAVAILABLE = 14;

/** How long a client call waits for a server that went away once it had answered: ten minutes. */
const OUTAGE_WAIT_MS = 10 * 60 * 1000;

/**
 * The client's gRPC retries: the SDK's defaults, except that once the server has answered, a call that cannot reach
 * it (the server restarting, for instance) waits for it instead of failing after a few seconds: the work it
 * waits for goes on durably, and the watch says what is happening. Before that, connecting fails fast (`retry`).
 */
function outageRetry(watch: ServerWatch): GrpcRetryOptions {
  const defaults = defaultGrpcRetryOptions();
  const delayMs = 1000;
  return {
    delayFunction: (attempt, status) => (status.code === UNAVAILABLE && watch.running ? delayMs : defaults.delayFunction(attempt, status)),
    retryableDecider: (attempt, status) => {
      if (status.code === UNAVAILABLE && watch.running) return !watch.movedTo && attempt * delayMs < OUTAGE_WAIT_MS;
      return defaults.retryableDecider(attempt, status);
    },
  };
}

async function retry<T>(fn: () => Promise<T>, address: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) {
        throw new ConfigError(`Cannot reach Temporal at ${address}: ${(err as Error).message}. Check TEMPORAL_ADDRESS, or unset it to use the embedded dev server (\`artifacts server status\`).`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
