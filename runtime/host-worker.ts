import type { ArtifactsConfig } from './config';
import { connect } from './connection';
import { startWorkers, type ArtifactsWorkers } from './worker';
import type { Store } from '../store/store';

/** How long a stop waits for workers left on a server that moved away (their polls may never be answered). */
const RETIRE_WAIT_MS = 5000;

/**
 * Runs this host's workers (`artifacts worker`) until `signal` aborts or they fail. A server restart on the same
 * address needs nothing (the workers' connection reconnects by itself); when the embedded dev server comes back
 * at another address (its port was taken meanwhile), workers start there at once. The old ones are shut down
 * meanwhile rather than first: their long polls go to whatever holds the old port now, and may hang until the
 * SDK's own timeouts (~30 s) before a shutdown completes.
 */
export async function serveUntilAborted(config: ArtifactsConfig, store: () => Promise<Store>, signal: AbortSignal, onReady: (address: string) => void): Promise<void> {
  const retiring: Promise<void>[] = [];
  for (;;) {
    const connections = await connect(config);
    const workers = await startWorkers(config, await connections.native(), store);
    onReady(connections.address);
    let moved = false;
    const event = new Promise<void>((resolve) => {
      connections.watch.onMoved(() => { moved = true; resolve(); });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([workers.running, event]);
    const retired = retire(workers, connections.close.bind(connections));
    if (moved && !signal.aborted) {
      retiring.push(retired.catch(() => undefined)); // its server is gone: nothing it says matters now
      continue;
    }
    await retired;
    await Promise.race([Promise.all(retiring), new Promise((resolve) => setTimeout(resolve, RETIRE_WAIT_MS).unref())]);
    return;
  }
}

async function retire(workers: ArtifactsWorkers, close: () => Promise<void>): Promise<void> {
  await workers.shutdown();
  await close();
}
