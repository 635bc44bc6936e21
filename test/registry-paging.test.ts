import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ManifestWriter, Store } from 'temporal-artifacts/internal';
import { freshPostgresDb } from './contract/services';
import { cli, isolatedEnv, nodeScript, tempDir } from './helpers';

const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A writer process that commits new names (sorting before and after any cursor, in 3 projects) and new versions until told to stop. */
const writerScript = (stopFile: string): string => `
  import fs from 'node:fs';
  import os from 'node:os';
  import { createHash } from 'node:crypto';
  import { Store, ManifestWriter } from 'temporal-artifacts/internal';
  const store = await Store.fromConfig({ home: os.tmpdir() + '/paging-writer-' + process.pid, registryUrl: process.env.REGISTRY_URL });
  const empty = await new ManifestWriter(store.blobs).finish();
  const commit = (name, key) => store.registry.commit({ name, type: 'dataset', idempotencyKey: key, manifest: { ...empty, digest: createHash('sha256').update(key).digest('hex') } });
  let i = 0;
  while (!fs.existsSync(${JSON.stringify(stopFile)})) {
    const project = ['', 'p1/', 'p2/'][i % 3];
    await commit(project + (i % 2 ? 'a-new-' : 'z-new-') + i, 'new-' + i);
    await commit('many', 'many-new-' + i);
    await commit(project + 'name-' + String(i % 50).padStart(3, '0'), 'more-' + i);
    i++;
  }
  console.log(i);
  await store.close();`;

describe.each([
  ['SQLite', async () => ({ url: `sqlite://${path.join(tempDir('artifacts-registry-'), 'registry.db')}`, drop: async () => undefined })],
  ['PostgreSQL', freshPostgresDb],
])('registry paging on %s', (_label, create) => {
  test('pages of names and of versions list every row that existed once, and none twice, while another process commits', async () => {
    const db = await create();
    const store = await Store.fromConfig({ home: tempDir(), registryUrl: db.url });
    try {
      const empty = await new ManifestWriter(store.blobs).finish();
      const commit = (name: string, key: string) => store.registry.commit({ name, type: 'dataset', idempotencyKey: key, manifest: { ...empty, digest: digestOf(key) } });
      const before: string[] = [];
      for (let i = 0; i < 150; i++) {
        const name = `${['', 'p1/', 'p2/'][i % 3]}name-${String(i).padStart(3, '0')}`;
        await commit(name, `seed-${i}`);
        before.push(name);
      }
      for (let v = 0; v < 60; v++) await commit('many', `many-${v}`);
      before.push('many');

      const stop = path.join(tempDir('artifacts-stop-'), 'stop');
      const writer = nodeScript(writerScript(stop), { ...process.env, REGISTRY_URL: db.url });
      // Page only once the writer commits, and let it commit between pages.
      while ((await store.registry.versions('many')).length <= 61) await new Promise((r) => setTimeout(r, 50));
      const names: string[] = [];
      let after: Parameters<Store['registry']['artifactsPage']>[1] = { limit: 7 };
      for (;;) {
        const page = await store.registry.artifactsPage(null, after);
        expect(page.items.length).toBeLessThanOrEqual(7);
        names.push(...page.items.map((a) => a.name));
        if (!page.next) break;
        after = { limit: 7, after: page.next };
        await new Promise((r) => setTimeout(r, 10));
      }
      const versions: number[] = [];
      let next: number | undefined;
      do {
        const page = await store.registry.versionsPage('many', 'default', { limit: 7, ...(next === undefined ? {} : { after: next }) });
        versions.push(...page.items.map((v) => v.index));
        next = page.next;
        await new Promise((r) => setTimeout(r, 10));
      } while (next !== undefined);
      fs.writeFileSync(stop, '');
      const wrote = await writer;
      expect(wrote.stderr).toBe('');
      expect(Number(wrote.stdout)).toBeGreaterThan(0);

      expect(new Set(names).size).toBe(names.length);
      for (const name of before) expect(names.filter((n) => n === name), name).toHaveLength(1);
      expect(new Set(versions).size).toBe(versions.length);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(versions.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      // The whole listing (every page) agrees with a fresh read once the writer has stopped.
      expect((await store.registry.artifacts(null)).map((a) => a.name).filter((n) => before.includes(n)).sort()).toEqual([...before].sort());
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

test('artifacts ls --limit prints one page and the cursor that continues it, and the pages together list every name once', async () => {
  const env = isolatedEnv();
  const store = await Store.fromConfig({ home: env.ARTIFACTS_HOME });
  const empty = await new ManifestWriter(store.blobs).finish();
  for (let i = 0; i < 5; i++) await store.registry.commit({ name: `n${i}`, type: 'dataset', idempotencyKey: `k${i}`, manifest: { ...empty, digest: digestOf(`k${i}`) } });
  await store.close();
  const seen: string[] = [];
  let args = ['ls', '--limit', '2'];
  for (let page = 0; page < 5; page++) {
    const r = cli(args, env);
    expect(r.code, r.stderr).toBe(0);
    seen.push(...r.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0]!));
    const more = /--after (\S+)/.exec(r.stderr);
    if (!more) break;
    expect(r.stderr).toMatch(/^more: artifacts ls --after \S+ --limit 2\n$/);
    args = ['ls', '--limit', '2', '--after', more[1]!];
  }
  expect(seen).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
  const all = cli(['ls', '--json'], env);
  expect((JSON.parse(all.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
  const bad = cli(['ls', '--after', 'nonsense!'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--after "nonsense!" is not a cursor of this listing/);
});
