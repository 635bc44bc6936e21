import path from 'node:path';
import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { loop, run } from './pipeline-loop';

test("a fan-out's items come from a JSON list an earlier step wrote, one shard per item; a list over maxItems or not a list fails naming the file", async () => {
  const { dir, env, ran } = loop();
  const file = path.join(dir, 'dynamic.yaml');
  const first = run(file, env);
  expect(first.code, first.stderr).toBe(0);
  expect(ran().sort()).toEqual(['label-cat', 'label-dog']);
  const grown = run(file, env, '--param', 'items=["cat", "dog", "owl"]');
  expect(grown.code, grown.stderr).toBe(0);
  expect(grown.status.steps['label']).toMatchObject({ state: 'done', ref: 'loop-dyn-labels:v1' });
  const api = new Api({ env });
  try {
    expect((await (await api.artifact('loop-dyn-labels:v1')).files()).map((f) => f.path)).toEqual(['cat.txt', 'dog.txt', 'owl.txt']);
    expect((await (await api.artifact('loop-dyn-labels:v0')).files()).map((f) => f.path)).toEqual(['cat.txt', 'dog.txt']);
  } finally {
    await api.close();
  }

  const tooMany = run(file, env, '--param', 'items=["a", "b", "c", "d"]');
  expect(tooMany.status.steps['label']).toMatchObject({ state: 'failed', error: 'items.json in loop-items:v2 (made by step "list") lists 4 items; this fan-out takes at most 3 (fanOut.maxItems, up to 10000).' });
  const notAList = run(file, env, '--param', 'items={"a": 1}');
  expect(notAList.status.steps['label']).toMatchObject({ state: 'failed', error: expect.stringContaining('must be a non-empty JSON list of strings, numbers or booleans') });
});
