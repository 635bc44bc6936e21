import { configFromEnv, type ArtifactsConfig } from '../runtime/config';
import { connect, type Connections } from '../runtime/connection';
import { installRuntime, startWorkers, type ArtifactsWorkers } from '../runtime/worker';
import { once } from '../plugin/artifacts-plugin';
import { Store } from '../store/store';

/**
 * One process's link to everything: the store, a Temporal client (to TEMPORAL_ADDRESS or the shared embedded dev
 * server) and, unless disabled, an in-process worker so nothing else needs starting.
 */
export class Session {
  private constructor(
    readonly config: ArtifactsConfig,
    readonly connections: Connections,
    readonly store: () => Promise<Store>,
    private readonly workers: ArtifactsWorkers | undefined,
  ) {}

  static async open(options: { config?: ArtifactsConfig; worker?: boolean } = {}): Promise<Session> {
    const config = options.config ?? configFromEnv();
    const store = once(() => Store.open({ home: config.home, registryUrl: config.registryUrl, blobUrl: config.blobUrl }));
    installRuntime('ERROR');
    const connections = await connect(config);
    const workers = options.worker === false ? undefined : await startWorkers(config, await connections.native(), store);
    return new Session(config, connections, store, workers);
  }

  /** Whether this process runs a worker (so the staging activities of its logs come back to it). */
  get runsWorker(): boolean {
    return this.workers !== undefined;
  }

  async close(): Promise<void> {
    await this.workers?.shutdown();
    await this.connections.close();
    await (await this.store()).close();
  }
}
