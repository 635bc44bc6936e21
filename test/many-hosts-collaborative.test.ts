import { Client, Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { freshPostgresDb, freshS3Url, removeTestPrefixes, s3Env } from './contract/services';
import { nodeScript, startWorker, tempDir, waitFor, writeUniqueFile } from './helpers';

/**
 * Collaborative mode across hosts that share only Temporal, PostgreSQL and S3: each host stages its own shard on
 * its own queue, and one version holds all of them.
 */
let db: Awaited<ReturnType<typeof freshPostgresDb>>;
let shared: Record<string, string>;
let connection: Connection;
let temporal: Client;
const workers: ChildProcess[] = [];
beforeAll(async () => {
  db = await freshPostgresDb();
  shared = {
    ...s3Env,
    TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS']!,
    ARTIFACTS_TASK_QUEUE: `collab-hosts-${randomUUID().slice(0, 8)}`,
    ARTIFACTS_REGISTRY: db.url,
    ARTIFACTS_STORE: await freshS3Url(),
  };
  connection = await Connection.connect({ address: shared['TEMPORAL_ADDRESS']! });
  temporal = new Client({ connection });
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGTERM');
  await connection.close();
  await db.drop();
  await removeTestPrefixes();
});

const writerScript = (finish: boolean) => `
  import { init, Artifact } from 'temporal-artifacts';
  const run = await init({ worker: false, id: 'writer-' + process.env.ARTIFACTS_HOST_ID });
  const artifact = new Artifact('sharded-predictions', 'predictions').addFile(process.env.SHARD, { name: process.env.SHARD_NAME });
  const options = { distributedId: process.env.DISTRIBUTED_ID };
  const result = ${finish ? 'await run.finishArtifact(artifact, options)' : 'await run.upsertArtifact(artifact, options)'};
  console.log(JSON.stringify(${finish ? '{ version: result.version, files: result.fileCount }' : '{ status: result.status }'}));
  await run.finish();`;

test('three hosts, each staging only its own shard on its own queue, make one collaborative version through PostgreSQL and S3', async () => {
  const distributedId = `eval-${randomUUID().slice(0, 8)}`;
  const hosts = ['host-a', 'host-b', 'host-c'].map((name) => {
    const folder = tempDir(`${name}-files-`);
    const shard = path.join(folder, 'preds.bin');
    const digest = writeUniqueFile(shard, 6 * 1024 * 1024);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'], HOME: process.env['HOME'], ...shared, ARTIFACTS_HOST_ID: name, ARTIFACTS_HOME: tempDir(`${name}-home-`),
      SHARD: shard, SHARD_NAME: `shards/${name}.bin`, DISTRIBUTED_ID: distributedId,
    };
    return { name, shard, digest, env };
  });
  const hostWorkers = await Promise.all(hosts.map(async (h) => {
    const w = await startWorker(h.env);
    workers.push(w);
    return w;
  }));

  const upserts = await Promise.all(hosts.slice(0, 2).map((h) => nodeScript(writerScript(false), h.env)));
  for (const u of upserts) {
    expect(u.stderr).toBe('');
    expect(JSON.parse(u.stdout)).toEqual({ status: 'merged' });
  }
  const finished = await nodeScript(writerScript(true), hosts[2]!.env);
  expect(finished.stderr).toBe('');
  expect(JSON.parse(finished.stdout)).toEqual({ version: 'v0', files: 3 });

  // Each writer's files were staged by its own host's worker, on its own queue.
  const stagedOn = await waitFor(async () => {
    const seen = new Map<string, string>();
    for await (const wf of temporal.workflow.list({ query: `TaskQueue = '${shared['ARTIFACTS_TASK_QUEUE']}' AND WorkflowType = 'upsertArtifactWorkflow'` })) {
      const { events } = await temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const scheduled = (events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'stageArtifact');
      const started = (events ?? []).find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId));
      const writer = /writer-(host-[abc])/.exec(wf.workflowId)?.[1] ?? wf.workflowId;
      seen.set(writer, `${scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name} ${started?.activityTaskStartedEventAttributes?.identity?.split('@')[0]}`);
    }
    // Visibility is eventually consistent: wait until all three writers' workflows are listed.
    return seen.size === 3 ? seen : undefined;
  }, 20_000, 'the three upsert workflows in visibility');
  expect(Object.fromEntries(stagedOn)).toEqual(Object.fromEntries(hosts.map((h, i) => [h.name, `${shared['ARTIFACTS_TASK_QUEUE']}@${h.name} ${hostWorkers[i]!.pid}`])));

  // A fourth machine with none of the files reads the version from the registry and the bucket alone.
  const reader = new Api({ env: { ...process.env, ...shared, ARTIFACTS_HOME: tempDir('reader-home-') } });
  const version = await reader.artifact('sharded-predictions:latest');
  expect((await version.files()).map((f) => [f.path, f.digest])).toEqual(hosts.map((h) => [`shards/${h.name}.bin`, h.digest]));
  const out = tempDir('reader-out-');
  await version.download(out);
  for (const h of hosts) expect(fs.readFileSync(path.join(out, 'shards', `${h.name}.bin`)).equals(fs.readFileSync(h.shard))).toBe(true);
  await reader.close();
});
