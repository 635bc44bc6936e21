// Starts one training run and prints what it made.
import { Client, Connection } from '@temporalio/client';
import type { TrainingInput, TrainingResult } from './workflows';
import { TASK_QUEUE } from './worker';

export async function runTraining(client: Client, input: TrainingInput, workflowId = `training-${Date.now()}`, taskQueue = TASK_QUEUE): Promise<TrainingResult> {
  return client.workflow.execute<(i: TrainingInput) => Promise<TrainingResult>>('trainingWorkflow', { taskQueue, workflowId, args: [input] });
}

async function main(): Promise<void> {
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? 'localhost:7233' });
  try {
    const result = await runTraining(new Client({ connection }), { shards: 4, threshold: 0.8 });
    console.log(`trained ${result.model} on ${result.dataset}; ${result.metrics} mean accuracy ${result.accuracy.toFixed(3)}${result.promoted ? '; now production' : ''}`);
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
