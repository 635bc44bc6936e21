import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { isolatedEnv, startWorker, tempDir, writeFiles, writeUniqueFile } from './helpers';

Object.assign(process.env, isolatedEnv());

/** The event types of a log's workflow history, and the activity types it scheduled. */
async function historyOf(workflowId: string): Promise<{ events: string[]; activities: string[] }> {
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    const events = (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))!.replace('EventAttributes', ''));
    const activities = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    return { events, activities };
  } finally {
    await connection.close();
  }
}

test('a small log from a process with a worker is staged early and committed in one workflow task, with no activity task', async () => {
  const run = await init();
  try {
    const dir = writeFiles({ 'a.txt': 'alpha', 'b/c.txt': 'gamma', 'd.json': '{"k":1}' });
    const first = await run.logArtifact(new Artifact('one-task', 'dataset').addDir(dir));
    const again = await run.logArtifact(new Artifact('one-task', 'dataset').addDir(writeFiles({ 'a.txt': 'changed' })));
    expect(first.stage).toMatchObject({ startedEarly: true, files: 3 });
    expect([first.version, again.version]).toEqual(['v0', 'v1']);
    const { events, activities } = await historyOf(again.producer!.workflowId);
    expect(activities).toEqual([]);
    expect(events.filter((e) => e === 'workflowTaskCompleted')).toHaveLength(1);
    expect(await first.verify()).toMatchObject({ ok: true, checked: 3 });
  } finally {
    await run.finish();
  }
});

test('a log whose early staging is still running when the workflow starts is staged by the activity, which adopts it', async () => {
  const run = await init({ env: { ...process.env, ARTIFACTS_MAX_BYTES_PER_SECOND: String(2 * 1024 * 1024) } });
  try {
    const file = path.join(tempDir(), 'slow.bin');
    writeUniqueFile(file, 3 * 1024 * 1024);
    const v = await run.logArtifact(new Artifact('slow-stage', 'dataset').addFile(file));
    expect(v.stage).toMatchObject({ startedEarly: true, files: 1 });
    const { activities } = await historyOf(v.producer!.workflowId);
    expect(activities).toEqual(['stageArtifact']);
    expect(await v.verify()).toMatchObject({ ok: true, checked: 1 });
  } finally {
    await run.finish();
  }
});

test('a client without a worker of its own logs through the staging activity and commits as before', async () => {
  const worker = await startWorker(process.env);
  const run = await init({ worker: false });
  try {
    const v = await run.logArtifact(new Artifact('no-own-worker', 'dataset').addDir(writeFiles({ 'x.txt': 'x' })));
    expect(v.version).toBe('v0');
    const { activities } = await historyOf(v.producer!.workflowId);
    expect(activities).toEqual(['stageArtifact']);
  } finally {
    await run.finish();
    worker.kill('SIGKILL');
  }
});
