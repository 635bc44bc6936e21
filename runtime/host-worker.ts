import type { ArtifactsConfig } from './config';
import { connect } from './connection';
import { startWorkers } from './worker';
import type { Store } from '../store/store';

/**
 * Runs this host's workers (`artifacts worker`) until `signal` aborts or they fail. A server restart on the same
 * address needs nothing (the workers' connection reconnects by itself); when the embedded dev server comes back
 * at another address (its port was taken meanwhile), the workers are started again there.
 */
export async function serveUntilAborted(config: ArtifactsConfig, store: () => Promise<Store>, signal: AbortSignal, onReady: (address: string) => void): Promise<void> {
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
    await workers.shutdown();
    await connections.close();
    if (!moved || signal.aborted) return;
  }
}
