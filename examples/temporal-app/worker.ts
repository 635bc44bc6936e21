// The app's worker: its own workflows and activities, plus the ArtifactsPlugin. The plugin registers the artifact
// activities and also polls this host's artifact queue, where file work on this host runs: nothing else to start.
import { NativeConnection, Worker } from '@temporalio/worker';
import { ArtifactsPlugin } from 'temporal-artifacts';
import * as activities from './activities';

export const TASK_QUEUE = 'training';

export async function createWorker(connection: NativeConnection, taskQueue = TASK_QUEUE): Promise<Worker> {
  return Worker.create({ connection, taskQueue, workflowsPath: require.resolve('./workflows'), activities, plugins: [new ArtifactsPlugin()] });
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? 'localhost:7233' });
  const worker = await createWorker(connection);
  const stop = (): void => worker.shutdown();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  console.log(`worker ready on ${TASK_QUEUE}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
