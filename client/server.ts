import { configFromEnv } from '../runtime/config';
import { devServerStatus, ensureDevServer, stopDevServer, type DevServerInfo } from '../runtime/dev-server';

export type { DevServerInfo } from '../runtime/dev-server';

/**
 * The embedded default's shared background Temporal dev server, for the data folder the environment names
 * (`home`, so that a caller can say which folder it looked in).
 */
export interface DevServerState {
  readonly home: string;
  /** The running server; undefined when none runs (status) or none ran (stop). */
  readonly server: DevServerInfo | undefined;
}

/** Starts the data folder's dev server, or returns the one already running. */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<DevServerInfo> {
  return ensureDevServer(configFromEnv(env).home);
}

export async function serverStatus(env: NodeJS.ProcessEnv = process.env): Promise<DevServerState> {
  const home = configFromEnv(env).home;
  return { home, server: await devServerStatus(home) };
}

/** Stops the data folder's dev server; `server` is what was stopped. */
export async function stopServer(env: NodeJS.ProcessEnv = process.env): Promise<DevServerState> {
  const home = configFromEnv(env).home;
  return { home, server: await stopDevServer(home) };
}
