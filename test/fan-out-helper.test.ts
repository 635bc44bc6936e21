import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { Api, ArtifactsPlugin } from 'temporal-artifacts';
import { Store, configFromEnv, hostQueueOf } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

test('a user workflow calls fanOut from temporal-artifacts/workflows and gets one committed version', async () => {
  const config = configFromEnv();
  const address = process.env['TEMPORAL_ADDRESS']!;
  const native = await NativeConnection.connect({ address });
  const store = await Store.fromConfig({ home: config.home });
  const plugin = new ArtifactsPlugin({ store: async () => store, hostQueue: hostQueueOf(config) });
  // The user's worker: their workflows file (which re-exports ours) on their queue, plus this host's queue.
  const main = await Worker.create({ connection: native, taskQueue: config.taskQueue, workflowsPath: path.join(__dirname, 'fixtures', 'user-workflows.ts'), plugins: [plugin] });
  const host = await Worker.create({ connection: native, taskQueue: hostQueueOf(config), plugins: [plugin] });
  const connection = await Connection.connect({ address });
  try {
    const result = await main.runUntil(host.runUntil(new Client({ connection }).workflow.execute('nightlyEvaluation', {
      taskQueue: config.taskQueue, workflowId: `nightly-${Date.now()}`, args: [6],
    })));
    expect(result).toBe('nightly-eval:v0 from 6 shards');
    const files = await (await new Api().artifact('nightly-eval:v0')).files();
    expect(files.map((f) => f.path)).toEqual(['pred-0.txt', 'pred-1.txt', 'pred-2.txt', 'pred-3.txt', 'pred-4.txt', 'pred-5.txt']);
  } finally {
    await connection.close();
    await native.close();
    await store.close();
  }
});
