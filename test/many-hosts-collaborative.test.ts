import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { SharedServices } from './contract/hosts';
import { nodeScript, tempDir, waitFor, writeUniqueFile } from './helpers';

/**
 * Collaborative mode across hosts that share only Temporal, PostgreSQL and S3: each host stages its own shard on
 * its own queue, and one version holds all of them.
 */
let services: SharedServices;
beforeAll(async () => {
  services = await SharedServices.open();
});
afterAll(() => services.close());

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
    const env = services.hostEnv(name, { SHARD: shard, SHARD_NAME: `shards/${name}.bin`, DISTRIBUTED_ID: distributedId });
    return { name, shard, digest, env };
  });
  const hostWorkers = await Promise.all(hosts.map((h) => services.startWorker(h.env)));

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
    const seen = new Map<string, { queue: string; pid: number }>();
    for await (const wf of services.temporal.workflow.list({ query: `TaskQueue = '${services.env['ARTIFACTS_TASK_QUEUE']}' AND WorkflowType = 'upsertArtifactWorkflow'` })) {
      const { queue, pid } = await services.stagedBy(wf.workflowId, wf.runId);
      seen.set(/writer-(host-[abc])/.exec(wf.workflowId)?.[1] ?? wf.workflowId, { queue, pid });
    }
    // Visibility is eventually consistent: wait until all three writers' workflows are listed.
    return seen.size === 3 ? seen : undefined;
  }, 20_000, 'the three upsert workflows in visibility');
  expect(Object.fromEntries(stagedOn)).toEqual(Object.fromEntries(hosts.map((h, i) => [h.name, { queue: services.queueOf(h.name), pid: hostWorkers[i]!.pid }])));

  // A fourth machine with none of the files reads the version from the registry and the bucket alone.
  const reader = new Api({ env: { ...process.env, ...services.env, ARTIFACTS_HOME: tempDir('reader-home-') } });
  const version = await reader.artifact('sharded-predictions:latest');
  expect((await version.files()).map((f) => [f.path, f.digest])).toEqual(hosts.map((h) => [`shards/${h.name}.bin`, h.digest]));
  const out = tempDir('reader-out-');
  await version.download(out);
  for (const h of hosts) expect(fs.readFileSync(path.join(out, 'shards', `${h.name}.bin`)).equals(fs.readFileSync(h.shard))).toBe(true);
  await reader.close();
}, 240_000);
