import type { WorkflowHandle } from '@temporalio/client';
import { Interrupts } from './interrupts';
import { runEach } from './run-each';
import { warnWhileUnserved } from './unserved';
import { configFromEnv, hostQueueOf, processQueueOf, type ArtifactsConfig } from '../runtime/config';
import { connect, type Connections } from '../runtime/connection';
import { installRuntime, startWorkers, type ArtifactsWorkers } from '../runtime/worker';
import { once } from '../plugin/artifacts-plugin';
import { qualifiedName } from '../store/registry/ref';
import { Store } from '../store/store';

export interface SessionOptions {
  /** Default: read from the environment. */
  readonly config?: ArtifactsConfig;
  /** Run an in-process worker (default true), so the staging activities of this process's writes come back to it. */
  readonly worker?: boolean;
  /**
   * On SIGINT or SIGTERM, cancel the writes this session waits for and exit with 130 or 143 (default true; see
   * Interrupts). Pass false when the host application handles signals itself.
   */
  readonly handleSignals?: boolean;
  /**
   * 'process' (default): the in-process worker polls a queue of this process alone for file work, so it never takes
   * up another run's; 'host': it polls this host's queue (a client that serves a whole pipeline run).
   */
  readonly hostWork?: 'process' | 'host';
  /** A store the caller owns and keeps open when the session closes (default: one opened and closed with it). */
  readonly store?: () => Promise<Store>;
}

/**
 * One process's link to everything: the store, a Temporal client (to TEMPORAL_ADDRESS or the shared embedded dev
 * server) and, unless disabled, an in-process worker so nothing else needs starting.
 */
export class Session {
  private closing: Promise<void> | undefined;
  private readonly interrupts = new Interrupts(() => this.close());

  private constructor(
    readonly config: ArtifactsConfig,
    readonly connections: Connections,
    readonly store: () => Promise<Store>,
    private readonly workers: ArtifactsWorkers | undefined,
    /** The queue this process's worker polls for file work, when it is its own (see processQueueOf). */
    private readonly processQueue: string | undefined,
    private readonly ownsStore: boolean,
  ) {}

  static async open(options: SessionOptions = {}): Promise<Session> {
    const config = options.config ?? configFromEnv();
    const store = options.store ?? once(() => Store.fromConfig(config));
    const ownsStore = options.store === undefined;
    installRuntime('ERROR');
    const withWorker = options.worker !== false;
    // A session with a worker opens the store while it connects and starts its workers: their activities use it, so
    // the first write does not open it (the registry, the store's folders) on the cores hashing its files, and a
    // store that cannot be opened fails the session's open, not its first write.
    const storeReady = withWorker ? store() : undefined;
    storeReady?.catch(() => undefined);
    let connections: Connections | undefined;
    let workers: ArtifactsWorkers | undefined;
    try {
      connections = await connect(config);
      const processQueue = withWorker && options.hostWork !== 'host' ? processQueueOf(config) : undefined;
      workers = withWorker ? await startWorkers(config, await connections.native(), store, processQueue ?? hostQueueOf(config)) : undefined;
      await storeReady;
      const session = new Session(config, connections, store, workers, processQueue, ownsStore);
      if (options.handleSignals !== false) session.interrupts.install();
      return session;
    } catch (err) {
      // Everything opened so far is closed, each even when one before it fails; the open's own failure is reported.
      await runEach([
        () => workers?.shutdown(),
        () => connections?.close(),
        async () => ownsStore && storeReady && (await (await storeReady.catch(() => undefined))?.close()),
      ]);
      throw err;
    }
  }

  /**
   * Waits for `result` of a write this session started: an interrupt cancels it (see Interrupts), and a write no
   * worker can serve is reported within seconds (see warnWhileUnserved).
   */
  track<T>(what: string, handle: WorkflowHandle, result: Promise<T>): Promise<T> {
    // With a worker here, this process serves its own writes' queues.
    if (!this.workers) void warnWhileUnserved(this.config, this.connections.client, what, result);
    return this.interrupts.track(what, handle, result);
  }

  /**
   * Where the file work of a write started here runs: this process's own queue when it has one, falling back to
   * this host's queue (any `artifacts worker` here) if the process is gone; else this host's queue.
   */
  placement(): { hostQueue: string; processQueue?: string } {
    return { hostQueue: hostQueueOf(this.config), ...(this.processQueue ? { processQueue: this.processQueue } : {}) };
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

  /** The registry name of `name` in this session's project (`name` itself in the default project; see qualifiedName). */
  inProject(name: string): string {
    return qualifiedName(this.config.project, name);
  }

  /** Whether this process runs a worker (so the staging activities of its logs come back to it). */
  get runsWorker(): boolean {
    return this.workers !== undefined;
  }

  /** Stops the workers, then closes the connections and the store; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.interrupts.uninstall();
      // Each is closed even when one before it fails; the first failure is reported once all were tried.
      const failure = await runEach([
        () => this.workers?.shutdown(),
        () => this.connections.close(),
        async () => this.ownsStore && (await (await this.store()).close()),
      ]);
      if (failure !== undefined) throw failure;
    })();
    return this.closing;
  }
}
