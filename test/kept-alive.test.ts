import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, TimeoutFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { keptAlive } from 'temporal-artifacts';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());
const taskQueue = `kept-alive-${Date.now()}`;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;

const activities = {
  keptAliveSleep: keptAlive(async (ms: number) => {
    await sleep(ms);
    return `slept ${ms} ms`;
  }),
  silentSleep: async (ms: number) => {
    await sleep(ms);
    return `slept ${ms} ms`;
  },
};

beforeAll(async () => {
  native = await NativeConnection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  client = new Client({ connection });
  worker = await Worker.create({ connection: native, taskQueue, workflowsPath: path.join(__dirname, 'fixtures', 'kept-alive-workflows.ts'), activities });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker.shutdown();
  await running;
  await connection.close();
  await native.close();
});

test('an activity kept alive outlives a heartbeat timeout a third of its length, which the same activity without it does not', async () => {
  // The heartbeat timeout is 2 s: a kept-alive call beats every third of it, so a 6 s call completes...
  await expect(client.workflow.execute('callKeptAlive', { taskQueue, workflowId: `kept-alive-${Date.now()}`, args: [6_000] })).resolves.toBe('slept 6000 ms');
  // ...while a call that sends no heartbeat is taken for one on a lost worker.
  const silent = client.workflow.execute('callSilent', { taskQueue, workflowId: `silent-${Date.now()}`, args: [6_000] });
  const err = await silent.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const activity = (err as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  expect((activity as ActivityFailure).cause).toBeInstanceOf(TimeoutFailure);
  expect(((activity as ActivityFailure).cause as TimeoutFailure).timeoutType).toBe('HEARTBEAT');
}, 60_000);
