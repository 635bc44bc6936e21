import { command } from '../command';
import { runStandaloneWorker } from '../../client';

/** Runs a standalone worker (shared queue and this host's queue) until SIGINT or SIGTERM. */
export const workerCommand = command({
  summary: "Run a standalone worker for the shared queue and this host's queue until SIGINT or SIGTERM.",
  usage: 'artifacts worker',
  options: {},
  run: async () => {
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await runStandaloneWorker(stop.signal, (w) => {
      console.log(`worker ready: ${w.address}, queues ${w.taskQueue} and ${w.hostQueue} (pid ${process.pid})`);
    });
    return 0;
  },
});
