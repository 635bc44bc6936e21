import { parse } from '../args';
import { configFromEnv, hostQueueOf } from '../../runtime/config';
import { serveUntilAborted } from '../../runtime/host-worker';
import { installRuntime } from '../../runtime/worker';
import { once } from '../../plugin/artifacts-plugin';
import { Store } from '../../store/store';

/** Runs a standalone worker (shared queue and this host's queue) until SIGINT or SIGTERM. */
export async function workerCommand(argv: string[]): Promise<number> {
  parse(argv, {}, 'artifacts worker');
  const config = configFromEnv();
  installRuntime('INFO');
  const store = once(() => Store.open({ home: config.home, registryUrl: config.registryUrl, blobUrl: config.blobUrl }));
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await serveUntilAborted(config, store, stop.signal, (address) => {
    console.log(`worker ready: ${address}, queues ${config.taskQueue} and ${hostQueueOf(config)} (pid ${process.pid})`);
  });
  return 0;
}
