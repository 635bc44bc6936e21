import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, runFanOut, UsageError } from 'temporal-artifacts';
import { configFromEnv } from 'temporal-artifacts/internal';
import { SharedServices } from './contract/hosts';
import { cli, nodeScript, tempDir, writeFiles, blobFile } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api, env } = shared;

test('a run that uses a version records it: lineage lists the run and its host, and what the run logs lists the version as its input', async () => {
  await shared.run.logArtifact(new Artifact('lineage-data', 'dataset').addDir(writeFiles({ 'a.txt': 'lineage a' })));
  const trainer = await init();
  const data = await trainer.useArtifact('lineage-data:latest');
  expect(data.ref).toBe('lineage-data:v0');
  expect(await data.download(tempDir())).toMatchObject({ files: 1, fetched: 1 });
  await trainer.useArtifact('lineage-data:v0');
  const model = await trainer.logArtifact(new Artifact('lineage-model', 'model').addDir(writeFiles({ 'm.bin': 'lineage model' })));
  await trainer.finish();

  // What the run returned reads through the run's own connections, closed by finish(): read through the Api now.
  const lineage = await (await api.artifact(data.ref)).lineage();
  expect(lineage.usedByRuns).toEqual([{ run: trainer.id, host: configFromEnv(env).hostId, at: expect.stringMatching(/^\d{4}-/) }]);
  expect(lineage.usedBy).toEqual(['lineage-model:v0']);
  expect((await (await api.artifact(model.ref)).lineage()).uses).toEqual(['lineage-data:v0']);
  expect(cli(['lineage', 'lineage-data:v0'], env).stdout).toContain(`runs:     ${trainer.id} on ${configFromEnv(env).hostId} (`);
});

test('a version a run returned still reads its files after run.finish(); what needs the registry says to get the version again from an open Api', async () => {
  await shared.run.logArtifact(new Artifact('after-finish', 'dataset').addDir(writeFiles({ 'a.txt': 'after finish' })));
  const run = await init();
  const data = await run.useArtifact('after-finish:latest');
  await run.finish();

  const dir = tempDir();
  expect(await data.download(dir)).toMatchObject({ files: 1, fetched: 1 });
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('after finish');
  expect((await (await data.getEntry('a.txt')).bytes()).toString()).toBe('after finish');
  await expect(data.lineage()).rejects.toThrow(new UsageError('lineage() of after-finish:v0 needs the registry, which was closed when the run or Api that returned this version ended (run.finish(), api.close()). ' +
    "Its files can still be read (download, checkout, getEntry, files, verify, diff). Call lineage() before that, or get the version again from an open Api: await new Api().artifact('after-finish:v0')."));
  await expect(data.addAlias('best')).rejects.toThrow(UsageError);
  expect((await (await api.artifact('after-finish:v0')).lineage()).usedByRuns).toHaveLength(1);
});

describe('a fan-out with uses, over two hosts', () => {
  let services: SharedServices;
  beforeAll(async () => {
    services = await SharedServices.open();
  });
  afterAll(() => services.close());

  // Each shard reads its input where it runs, and writes the host it ran on beside what it read.
  const shardScript = `const fs = require('fs'), path = require('path');
    const data = fs.readFileSync(path.join(process.env.ARTIFACTS_INPUTS_DIR, 'fan-data', 'a.txt'), 'utf8');
    setTimeout(() => fs.writeFileSync(path.join(process.env.ARTIFACTS_OUTPUT_DIR, 'shard-' + process.env.ARTIFACTS_SHARD_INDEX + '.txt'), process.env.ARTIFACTS_HOST_ID + ':' + data), 1000);`;

  test("each shard downloads its uses on its own host through that host's cache; the version records them as inputs and lineage lists the shards", async () => {
    const [a, b] = [services.hostEnv('host-a'), services.hostEnv('host-b')];
    const logged = await nodeScript(`
      import { init, Artifact } from 'temporal-artifacts';
      const run = await init();
      await run.logArtifact(new Artifact('fan-data', 'dataset').addDir(process.env.DATA_DIR));
      await run.finish();`, { ...a, DATA_DIR: writeFiles({ 'a.txt': 'fan input' }) });
    expect(logged.stderr).toBe('');
    await services.waitForPollers(await Promise.all([services.startWorker(a), services.startWorker(b)]));

    // Sixteen shards of a second each, dispatched at once to two polling workers: each host runs some.
    const result = await runFanOut(
      { name: 'fan-preds', type: 'predictions', shards: 16, uses: ['fan-data:latest'], command: { argv: [process.execPath, '-e', shardScript] } },
      { env: services.hostEnv('client') },
    );
    expect(result).toMatchObject({ created: true, succeeded: 16 });

    const reader = new Api({ env: services.hostEnv('reader') });
    const out = tempDir();
    const version = await reader.artifact('fan-preds:v0');
    await version.download(out);
    const ranOn = new Map(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    expect([...ranOn.values()].every((text) => /^host-[ab]:fan input$/.test(text))).toBe(true);
    expect(new Set([...ranOn.values()].map((t) => t.split(':')[0]))).toEqual(new Set(['host-a', 'host-b']));

    const data = await reader.artifact('fan-data:v0');
    const lineage = await data.lineage();
    expect(lineage.usedBy).toEqual(['fan-preds:v0']);
    expect((await version.lineage()).uses).toEqual(['fan-data:v0']);
    expect(lineage.usedByRuns.map((r) => [r.run.replace(/.*\/shard-/, ''), r.host]).sort()).toEqual(
      [...ranOn.entries()].map(([f, text]) => [String(Number(/shard-(\d+)/.exec(f)![1])), text.split(':')[0]]).sort());
    // Each host read the input through its own read cache.
    const blob = (await data.files())[0]!.digest;
    for (const env of [a, b]) expect(fs.existsSync(blobFile(path.join(env['ARTIFACTS_HOME']!, 'cache'), blob))).toBe(true);
    await reader.close();
  });
});
