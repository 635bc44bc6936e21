import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { cli, tempDir, writeFiles } from './helpers';
import { loop, run, states } from './pipeline-loop';

test("a fan-out caches each shard: after one shard failed, the re-run runs only that shard, and the version's lineage lists the shards' inputs", async () => {
  const { file, dir, env, ran } = loop();
  expect(run(file, env).code).toBe(0);
  ran();
  const shards = path.join(dir, 'shards.yaml');
  const failOwl = `${env.STEP_COUNTER}.fail-owl`;
  fs.writeFileSync(failOwl, '');
  const failed = run(shards, env);
  expect(failed.code).not.toBe(0);
  expect(ran().sort()).toEqual(['label-cat', 'label-dog', 'label-owl']);
  expect(states(failed.status)).toEqual({ label: 'failed' });

  fs.rmSync(failOwl);
  const resumed = run(shards, env);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(ran()).toEqual(['label-owl']);
  expect(resumed.status.steps['label']).toMatchObject({ state: 'done', ref: 'loop-labels:v0', shards: 3, shardsCached: 2 });
  expect(resumed.stderr).toContain('label: done 3 shards (2 cached)');

  const api = new Api({ env });
  try {
    const labels = await api.artifact('loop-labels:v0');
    expect((await labels.files()).map((f) => f.path)).toEqual(['cat.txt', 'dog.txt', 'owl.txt']);
    expect((await labels.lineage()).uses).toEqual(['loop-data:v0']);
    expect(labels.description).toBe(`animal labels of run ${resumed.id}`);
  } finally {
    await api.close();
  }

  const again = run(shards, env);
  expect(ran()).toEqual([]);
  expect(again.status.steps['label']).toMatchObject({ state: 'cached', ref: 'loop-labels:v0' });
});

test('lineage records the uses of a step whose commit found its content already there', async () => {
  const { file, env } = loop();
  expect(run(file, env).code).toBe(0);
  const api = new Api({ env });
  try {
    // The same metrics logged again by hand, after other ones: identical content returns v0 (latest moves back).
    const made = tempDir();
    await (await api.artifact('loop-metrics:v0')).download(made);
    expect(cli(['log', writeFiles({ 'other.json': '{}' }), '--name', 'loop-metrics', '--type', 'metrics'], env).code).toBe(0);
    expect(cli(['log', made, '--name', 'loop-metrics', '--type', 'metrics'], env).code).toBe(0);
    expect((await api.artifact('loop-metrics')).version).toBe('v0');

    const forced = run(file, env, '--no-cache');
    expect(forced.status.steps['evaluate']).toMatchObject({ state: 'done', ref: 'loop-metrics:v0', outcome: 'unchanged' });
    const lineage = await (await api.artifact('loop-metrics:v0')).lineage();
    expect(lineage.uses).toEqual(['loop-model:v0']);
    expect(lineage.reproducedBy.length).toBeGreaterThan(0);
  } finally {
    await api.close();
  }
});
