import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api, Artifact, init } from 'temporal-artifacts';
import { SharedServices } from './contract/hosts';
import { nodeScript, tempDir, waitFor, writeFiles } from './helpers';

/**
 * Hosts that share only Temporal, PostgreSQL and S3: each has its own data folder, its own files and its own
 * worker (ARTIFACTS_HOST_ID), so the activities that read a host's files can run nowhere else.
 */
let services: SharedServices;
beforeAll(async () => {
  services = await SharedServices.open({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '4000' });
});
afterAll(() => services.close());

const logScript = `
  import { init, Artifact } from 'temporal-artifacts';
  const run = await init({ worker: false });
  const v = await run.logArtifact(new Artifact('shared-dataset', 'dataset').addDir(process.env.HOST_FOLDER));
  console.log(JSON.stringify({ version: v.version, digest: v.digest, workflowId: v.producer.workflowId }));
  await run.finish();`;

test('three hosts that each see only their own folder log one artifact through shared Temporal, PostgreSQL and S3', async () => {
  const hosts = ['host-a', 'host-b', 'host-c'].map((name) => {
    const folder = writeFiles({ [`${name}.txt`]: `written on ${name}`, 'shard/data.bin': randomBytes(3 * 1024 * 1024) });
    return { name, folder, env: services.hostEnv(name, { HOST_FOLDER: folder }) };
  });
  const hostWorkers = await Promise.all(hosts.map((h) => services.startWorker(h.env)));
  const runs = await Promise.all(hosts.map((h) => nodeScript(logScript, h.env)));
  const logged = runs.map((r, i) => {
    expect(r.stderr, `${hosts[i]!.name}: ${r.stderr}`).toBe('');
    return JSON.parse(r.stdout) as { version: string; digest: string; workflowId: string };
  });
  expect(logged.map((l) => l.version).sort()).toEqual(['v0', 'v1', 'v2']);

  for (const [i, l] of logged.entries()) {
    expect(await services.stagedBy(l.workflowId)).toMatchObject({ queue: services.queueOf(hosts[i]!.name), pid: hostWorkers[i]!.pid });
  }

  // A host reads another host's version: the bytes came through S3, not through a shared folder.
  const api = new Api({ env: hosts[2]!.env });
  const fromA = await api.artifact(`shared-dataset:${logged[0]!.version}`);
  expect((await fromA.files()).map((f) => f.path)).toEqual(['host-a.txt', 'shard/data.bin']);
  const out = path.join(tempDir(), 'from-a');
  await fromA.download(out);
  expect(fs.readFileSync(path.join(out, 'host-a.txt'), 'utf8')).toBe('written on host-a');
  expect(Buffer.compare(fs.readFileSync(path.join(out, 'shard/data.bin')), fs.readFileSync(path.join(hosts[0]!.folder, 'shard/data.bin')))).toBe(0);
  expect(await fromA.verify()).toMatchObject({ ok: true, checked: 2 });
  await api.close();
});

test('a host that dies mid-upload keeps its staging on its own queue while down, and resumes it when it returns', async () => {
  const size = 192 * 1024 * 1024;
  const folder = tempDir('host-d-files-');
  fs.writeFileSync(path.join(folder, 'weights.bin'), randomBytes(size));
  const env = services.hostEnv('host-d', { ARTIFACTS_MAX_BYTES_PER_SECOND: String(32 * 1024 * 1024) });
  const others = await Promise.all(['host-e', 'host-f'].map((n) => services.startWorker(services.hostEnv(n))));
  const first = await services.startWorker(env);
  Object.assign(process.env, env);
  const run = await init({ worker: false });
  let killed = false;
  const logging = run.logArtifact(new Artifact('host-d-model', 'model').addFile(path.join(folder, 'weights.bin')), {
    onProgress: (p) => {
      if (!killed && p.bytesDone > size * 0.3 && p.checkpoints?.length) {
        killed = true;
        first.kill('SIGKILL');
      }
    },
  });
  await waitFor(() => (killed ? true : undefined), 60_000, 'the kill of host-d');

  // Down for well over the heartbeat timeout: the retry is due, but only host-d's queue may run it.
  await new Promise((r) => setTimeout(r, 9000));
  const api = new Api({ env });
  expect((await api.artifacts()).map((a) => a.name)).not.toContain('host-d-model');
  expect(others.every((w) => w.exitCode === null)).toBe(true);

  const back = await services.startWorker(env);
  const v = await logging;
  await run.finish();
  expect(v.version).toBe('v0');
  expect(v.stage.resumedBytes).toBeGreaterThan(size * 0.2);
  expect(v.stage.bytesWritten + v.stage.resumedBytes).toBe(size);
  const stage = await services.stagedBy(v.producer!.workflowId);
  expect(stage).toMatchObject({ queue: services.queueOf('host-d'), pid: back.pid });
  expect(stage.attempt).toBeGreaterThanOrEqual(2);
  expect(await (await api.artifact('host-d-model:v0')).verify()).toMatchObject({ ok: true });
  await api.close();
}, 240_000);
