import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { cli, isolatedEnv, spawnLive, waitFor, writeFiles, type LiveProcess } from './helpers';

// The example app as a Temporal user runs it: its compiled files, its worker with the ArtifactsPlugin (which also
// polls this host's artifact queue), its client. Only the data folder and queues are this test's own.
const APP = path.join(__dirname, '..', 'dist', 'examples', 'temporal-app');
const env = isolatedEnv();
Object.assign(process.env, env);
const taskQueue = `training-${randomUUID().slice(0, 8)}`;
let native: NativeConnection;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  native = await NativeConnection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  client = new Client({ connection });
  const data = writeFiles({ 'a.txt': 'the quick brown fox\njumps\n', 'b.txt': 'over the lazy dog\n' });
  expect(cli(['log', data, '--name', 'dataset', '--type', 'dataset'], env).code).toBe(0);
});

// Worker processes a test starts, ended here too, so a test that times out leaves none behind.
const children: LiveProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await connection.close();
  await native.close();
});

interface TrainingResult { dataset: string; model: string; metrics: string; accuracy: number; promoted: boolean }

async function app(): Promise<{ createWorker: (c: NativeConnection, q: string) => Promise<Worker>; runTraining: (c: Client, i: { shards: number; threshold: number }, id: string, q: string) => Promise<TrainingResult> }> {
  const worker = (await import(path.join(APP, 'worker.js'))) as { createWorker: (c: NativeConnection, q: string) => Promise<Worker> };
  const appClient = (await import(path.join(APP, 'client.js'))) as { runTraining: (c: Client, i: { shards: number; threshold: number }, id: string, q: string) => Promise<TrainingResult> };
  return { createWorker: worker.createWorker, runTraining: appClient.runTraining };
}

test('the example app end to end: trains on dataset:latest, logs the model, evaluates in 3 child workflows that upsert, finishes one metrics version and promotes the model; its history replays', async () => {
  const { createWorker, runTraining } = await app();
  const worker = await createWorker(native, taskQueue);
  const workflowId = `training-${randomUUID().slice(0, 8)}`;
  const result = await worker.runUntil(runTraining(client, { shards: 3, threshold: 0.5 }, workflowId, taskQueue));
  expect(result).toMatchObject({ dataset: 'dataset:v0', model: 'model:v0', metrics: 'eval-metrics:v0', promoted: true });
  expect(result.accuracy).toBeGreaterThanOrEqual(0.8);

  const api = new Api();
  try {
    const metrics = await api.artifact('eval-metrics:v0');
    expect((await metrics.files()).map((f) => f.path)).toEqual(['metrics-0.json', 'metrics-1.json', 'metrics-2.json']);
    const model = await api.artifact('model:production');
    expect(model.version).toBe('v0');
    expect(model.producer?.caller).toMatchObject({ workflowId, workflowType: 'trainingWorkflow' });
    expect(metrics.producer?.caller).toMatchObject({ workflowId, workflowType: 'trainingWorkflow' });
    expect((await api.versions('model')).length).toBe(1);
  } finally {
    await api.close();
  }
  // Each activity's outputs folder went once its version was committed.
  const outputs = path.join(env.ARTIFACTS_HOME, 'scratch', 'activity-outputs');
  expect(fs.readdirSync(outputs)).toEqual([]);
  // `artifacts lineage` names the user's workflow.
  const lineage = cli(['lineage', 'model:v0'], env);
  expect(lineage.stdout).toContain(`for:      workflow ${workflowId} (trainingWorkflow)`);
  expect(cli(['lineage', 'dataset:v0'], env).stdout).toContain(`used in:  workflow ${workflowId} (trainingWorkflow)`);
  // With a UI known, the run that made it is one click away.
  const linked = cli(['lineage', 'model:v0'], { ...env, TEMPORAL_UI_URL: 'http://ui.example:8233/' });
  expect(linked.stdout).toMatch(new RegExp(`http://ui\\.example:8233/namespaces/default/workflows/${workflowId}/[0-9a-f-]+/history`));

  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowsPath: path.join(APP, 'workflows.js') }, history, workflowId)).resolves.toBeUndefined();

  // Every activity the run and its children and draft scheduled (ours and the app's) has a heartbeat timeout of at
  // most a minute: a worker killed mid-call is noticed within that, not after a start-to-close timeout of minutes.
  const expected = [
    'resolveVersion', 'train', 'recordHostFiles', 'stageArtifact', 'removeOutputsDir', 'evaluate', 'contributeToDraft', 'mergeDraft', 'finishDraft',
    'findDraftCommit', 'commitVersion', 'meanAccuracy', 'aliasVersion',
  ].sort();
  // Visibility lists runs a moment after they close: asked again until every kind of call is there.
  const scheduled = await waitFor(async () => {
    const found = await scheduledActivities(taskQueue);
    return expected.every((t) => found.some((a) => a.type === t)) ? found : undefined;
  }, 30_000, 'the runs on the app queue to be listed');
  expect([...new Set(scheduled.map((a) => a.type))].sort()).toEqual(expected);
  for (const a of scheduled) expect({ type: a.type, heartbeatTimeoutS: a.heartbeatTimeoutS }).toEqual({ type: a.type, heartbeatTimeoutS: expect.toSatisfy((s: number) => s > 0 && s <= 60) });
});

/** The activities scheduled by every workflow run on `queue` that visibility lists, with their heartbeat timeouts. */
async function scheduledActivities(queue: string): Promise<{ type: string; heartbeatTimeoutS: number }[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query: `TaskQueue = "${queue}"` })) ids.push(w.workflowId);
  const out: { type: string; heartbeatTimeoutS: number }[] = [];
  for (const id of ids) {
    for (const e of (await client.workflow.getHandle(id).fetchHistory()).events ?? []) {
      const attrs = e.activityTaskScheduledEventAttributes;
      if (attrs) out.push({ type: attrs.activityType?.name ?? '', heartbeatTimeoutS: Number(attrs.heartbeatTimeout?.seconds ?? 0) });
    }
  }
  return out;
}

/** The version names of an artifact, in order (none when it has none yet). */
async function versionsOf(name: string): Promise<string[]> {
  const api = new Api();
  try {
    return (await api.versions(name).catch(() => [])).map((v) => v.version);
  } finally {
    await api.close();
  }
}

test('kill -9 of the app\'s worker mid-training: a new worker finishes the run, and each version is made exactly once', async () => {
  // New data, so the model trained on it differs from any made before (identical content would return that version).
  expect(cli(['log', writeFiles({ 'c.txt': `new training data ${randomUUID()}\n` }), '--name', 'dataset', '--type', 'dataset'], env).code).toBe(0);
  const models = (await versionsOf('model')).length;
  const metrics = (await versionsOf('eval-metrics')).length;
  const workerScript = path.join(__dirname, 'fixtures', 'app-worker.mjs');
  const queue = `training-${randomUUID().slice(0, 8)}`;
  const first = spawnLive([queue], env, workerScript);
  children.push(first);
  await waitFor(() => (first.output.stdout.includes('ready') ? true : undefined), 60_000, 'the app worker to start');
  const { runTraining } = await app();
  const running = runTraining(client, { shards: 4, threshold: 2 }, `training-${randomUUID().slice(0, 8)}`, queue);
  running.catch(() => undefined); // awaited below
  // Killed once the model is committed and the evaluations run: work is in flight in child workflows then.
  await waitFor(async () => ((await versionsOf('model')).length > models ? true : undefined), 120_000, 'the model to be logged');
  first.child.kill('SIGKILL');
  await first.exited;
  const second = spawnLive([queue], env, workerScript);
  children.push(second);
  try {
    const result = await running;
    expect(result).toMatchObject({ model: `model:v${models}`, metrics: `eval-metrics:v${metrics}`, promoted: false });
    expect(await versionsOf('model')).toHaveLength(models + 1);
    expect(await versionsOf('eval-metrics')).toHaveLength(metrics + 1);
    const api = new Api();
    try {
      expect((await (await api.artifact(result.metrics)).files()).length).toBe(4);
    } finally {
      await api.close();
    }
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
}, 300_000);
