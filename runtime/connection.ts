import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ArtifactsConfig } from './config';
import { ensureDevServer } from './dev-server';
import { ConfigError } from '../errors';

export interface Connections {
  readonly address: string;
  readonly client: Client;
  /** For workers in this process, opened on first use. */
  readonly native: () => Promise<NativeConnection>;
  /** The Web UI, when the embedded dev server runs one. */
  readonly uiUrl: string | undefined;
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
  const connection = await retry(() => Connection.connect(options), address);
  const client = new Client({ connection, namespace: config.namespace });
  await retry(() => client.workflowService.describeNamespace({ namespace: config.namespace }), address);
  let native: Promise<NativeConnection> | undefined;
  return {
    address,
    client,
    uiUrl,
    native: () => (native ??= NativeConnection.connect(options)),
    async close() {
      if (native) await (await native).close();
      await connection.close();
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
