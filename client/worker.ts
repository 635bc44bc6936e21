import { configFromEnv, hostQueueOf } from '../runtime/config';
import { serveUntilAborted } from '../runtime/host-worker';
import { installRuntime } from '../runtime/worker';
import { once } from '../plugin/artifacts-plugin';
import { Store } from '../store/store';

/** Where a standalone worker listens: the server it reached, the shared queue and this host's queue. */
export interface WorkerReady {
  readonly address: string;
  readonly taskQueue: string;
  readonly hostQueue: string;
}

/**
 * Runs the workers `artifacts worker` runs (logging at INFO) until `signal` aborts; `onReady` hears every start,
 * including a restart at the new address of an embedded dev server that had to move.
 */
export async function runStandaloneWorker(signal: AbortSignal, onReady: (ready: WorkerReady) => void): Promise<void> {
  const config = configFromEnv();
  installRuntime('INFO');
  const store = once(() => Store.fromConfig(config));
  await serveUntilAborted(config, store, signal, (address) => onReady({ address, taskQueue: config.taskQueue, hostQueue: hostQueueOf(config) }));
}
