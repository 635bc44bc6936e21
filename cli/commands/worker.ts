import { parse } from '../args';
import { runStandaloneWorker } from '../../client';

/** Runs a standalone worker (shared queue and this host's queue) until SIGINT or SIGTERM. */
export async function workerCommand(argv: string[]): Promise<number> {
  parse(argv, {}, 'artifacts worker');
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await runStandaloneWorker(stop.signal, (w) => {
    console.log(`worker ready: ${w.address}, queues ${w.taskQueue} and ${w.hostQueue} (pid ${process.pid})`);
  });
  return 0;
}
