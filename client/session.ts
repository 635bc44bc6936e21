import { configFromEnv, type ArtifactsConfig } from '../runtime/config';
import { connect, type Connections } from '../runtime/connection';
import { installRuntime, startWorkers, type ArtifactsWorkers } from '../runtime/worker';
import { once } from '../plugin/artifacts-plugin';
import { Store } from '../store/store';

export interface SessionOptions {
  /** Default: read from the environment. */
  readonly config?: ArtifactsConfig;
  /** Run an in-process worker (default true), so the staging activities of this process's writes come back to it. */
  readonly worker?: boolean;
}

/**
 * One process's link to everything: the store, a Temporal client (to TEMPORAL_ADDRESS or the shared embedded dev
 * server) and, unless disabled, an in-process worker so nothing else needs starting.
 */
export class Session {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly config: ArtifactsConfig,
    readonly connections: Connections,
    readonly store: () => Promise<Store>,
    private readonly workers: ArtifactsWorkers | undefined,
  ) {}

  static async open(options: SessionOptions = {}): Promise<Session> {
    const config = options.config ?? configFromEnv();
    const store = once(() => Store.fromConfig(config));
    installRuntime('ERROR');
    const connections = await connect(config);
    const workers = options.worker === false ? undefined : await startWorkers(config, await connections.native(), store);
    return new Session(config, connections, store, workers);
  }

  /** Opens a session for one piece of work and closes it afterwards, whatever happens. */
  static async using<R>(options: SessionOptions, work: (session: Session) => Promise<R>): Promise<R> {
    const session = await Session.open(options);
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }

  /** Whether this process runs a worker (so the staging activities of its logs come back to it). */
  get runsWorker(): boolean {
    return this.workers !== undefined;
  }

  /** Stops the workers, then closes the connections and the store; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.workers?.shutdown();
      await this.connections.close();
      await (await this.store()).close();
    })();
    return this.closing;
  }
}
