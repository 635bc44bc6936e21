import { SimplePlugin } from '@temporalio/plugin';
import { Worker } from '@temporalio/worker';
import { createActivities, outputsRootOf, type ActivityDeps } from '../activities';
import { configFromEnv, hostQueueOf } from '../runtime/config';
import { Store } from '../store/store';
import { outputsPlaceInterceptor } from './outputs-dir';

export interface ArtifactsPluginOptions {
  /** The store activities write to; opened from the environment (ARTIFACTS_HOME, ARTIFACTS_REGISTRY, ARTIFACTS_STORE) when omitted. */
  readonly store?: (() => Promise<Store>) | undefined;
  /** Caps upload speed per staging activity. */
  readonly maxBytesPerSecond?: number | undefined;
  /** This worker's host queue, answered to fan-out shards it claims (default: computed from the environment). */
  readonly hostQueue?: string | undefined;
  /** Where fan-out shards' private output folders are made (default: `scratch` in the data folder). */
  readonly scratchDir?: string | undefined;
  /**
   * Also poll this host's queue (where file work on this host runs) beside each worker's own queue, with the same
   * connection, for as long as that worker runs. Default true; false when you run a worker on the host queue yourself.
   */
  readonly hostWorker?: boolean | undefined;
}

/**
 * Registers the artifact activities on a worker, and by default polls this host's queue too, so one worker is all
 * the set-up. Workflow code is not registered here (a plugin's workflowsPath would replace the user's):
 * re-export `temporal-artifacts/workflows` from your workflows file.
 *
 *   const worker = await Worker.create({ plugins: [new ArtifactsPlugin()], workflowsPath, taskQueue, ... });
 */
export class ArtifactsPlugin extends SimplePlugin {
  private readonly hostQueue: () => string;
  private readonly activities: ReturnType<typeof createActivities>;
  private readonly hostWorker: boolean;

  constructor(options: ArtifactsPluginOptions = {}) {
    const deps: ActivityDeps = { store: options.store ?? once(() => Store.fromConfig(configFromEnv())), maxBytesPerSecond: options.maxBytesPerSecond, hostQueue: options.hostQueue, scratchDir: options.scratchDir };
    const hostQueue = (): string => options.hostQueue ?? hostQueueOf(configFromEnv());
    const activities = createActivities(deps);
    const interceptor = outputsPlaceInterceptor(() => ({ hostQueue: hostQueue(), root: outputsRootOf(deps) }));
    super({ name: 'temporal-artifacts', activities, workerInterceptors: (given) => ({ ...given, activity: [...(given?.activity ?? []), interceptor] }) });
    this.hostQueue = hostQueue;
    this.activities = activities;
    this.hostWorker = options.hostWorker ?? true;
  }

  /** Runs the worker, and beside it (same connection and namespace) a worker on this host's queue, stopped with it. */
  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    const hostQueue = this.hostQueue();
    if (!this.hostWorker || worker.options.taskQueue === hostQueue) return super.runWorker(worker, next);
    const { connection, namespace } = worker.options;
    let host: Worker;
    try {
      host = await Worker.create({ ...(connection ? { connection } : {}), namespace, taskQueue: hostQueue, activities: this.activities });
    } catch (err) {
      // A worker of this process polls the host queue already (one the user made, or another worker's): that serves.
      if (/overlapping worker task types/.test(String(err))) return super.runWorker(worker, next);
      throw err;
    }
    const stopBoth = (): void => {
      for (const w of [host, worker]) if (w.getState() === 'RUNNING') w.shutdown();
    };
    const ended = await Promise.allSettled([super.runWorker(worker, next).finally(stopBoth), host.run().finally(stopBoth)]);
    for (const e of ended) if (e.status === 'rejected') throw e.reason;
  }
}

/** Memoizes an async factory: every caller shares the first call's result. */
export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= factory());
}
