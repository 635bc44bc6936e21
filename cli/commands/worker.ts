import { parse } from '../args';
import { configFromEnv, hostQueueOf } from '../../runtime/config';
import { connect } from '../../runtime/connection';
import { installRuntime, startWorkers } from '../../runtime/worker';
import { once } from '../../plugin/artifacts-plugin';
import { Store } from '../../store/store';

/** Runs a standalone worker (shared queue and this host's queue) until SIGINT or SIGTERM. */
export async function workerCommand(argv: string[]): Promise<number> {
  parse(argv, {}, 'artifacts worker');
  const config = configFromEnv();
  installRuntime('INFO');
  const connections = await connect(config);
  const store = once(() => Store.open({ home: config.home, registryUrl: config.registryUrl, blobUrl: config.blobUrl }));
  const workers = await startWorkers(config, await connections.native(), store);
  console.log(`worker ready: ${connections.address}, queues ${config.taskQueue} and ${hostQueueOf(config)} (pid ${process.pid})`);
  const stop = (): void => void workers.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await workers.running;
  await connections.close();
  return 0;
}
