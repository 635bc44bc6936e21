import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { workflowSource } from 'temporal-artifacts/internal';
import { isolatedEnv, writeFiles } from './helpers';

Object.assign(process.env, isolatedEnv());
const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'log-workflow-history.json'), 'utf8')) as unknown;

// Recorded before logs took their early staging and committed in one task (LOCAL_LOG_PATCH): the old road must replay.
test('the recorded log-workflow history replays against the current workflow code', async () => {
  await expect(Worker.runReplayHistory(workflowSource(), recorded)).resolves.toBeUndefined();
});

test('the recorded history of a log committed in one workflow task (local activities) replays against the current workflow code', async () => {
  const oneTask = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'log-workflow-one-task-history.json'), 'utf8')) as unknown;
  await expect(Worker.runReplayHistory(workflowSource(), oneTask)).resolves.toBeUndefined();
});

test('a workflow change that reorders its activities is caught as nondeterministic by the same replay', async () => {
  const changed = { workflowsPath: path.join(__dirname, 'fixtures', 'changed-log-workflow.ts') };
  await expect(Worker.runReplayHistory(changed, recorded)).rejects.toThrow(/[Nn]ondetermin/);
});

test('a history recorded just now, with aliases and metadata, replays too', async () => {
  const run = await init();
  try {
    const dir = writeFiles({ 'x.txt': 'fresh' });
    const v = await run.logArtifact(new Artifact('replayed', 'dataset', { metadata: { k: 1 } }).addDir(dir), { aliases: ['fresh'] });
    const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
    const history = await new Client({ connection }).workflow.getHandle(v.producer!.workflowId).fetchHistory();
    await connection.close();
    await expect(Worker.runReplayHistory(workflowSource(), history)).resolves.toBeUndefined();
  } finally {
    await run.finish();
  }
});

test('the recorded pipeline-interpreter history (the flagship pipeline) replays against the current workflow code', async () => {
  const pipeline = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'pipeline-workflow-history.json'), 'utf8')) as unknown;
  // Child ids derive from the workflow id, so the replay runs under the recorded one.
  await expect(Worker.runReplayHistory(workflowSource(), pipeline, 'artifacts/pipeline/recorded-pipeline')).resolves.toBeUndefined();
});

test('the recorded watcher history of an artifact trigger with concurrency: latest replays against the current workflow code', async () => {
  const watcher = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'trigger-watcher-history.json'), 'utf8')) as unknown;
  // Run ids derive from the versions the recorded activities returned, so the replay needs no particular workflow id.
  await expect(Worker.runReplayHistory(workflowSource(), watcher, 'artifacts/deploy/record-trigger/recorded-trigger/watch')).resolves.toBeUndefined();
});
