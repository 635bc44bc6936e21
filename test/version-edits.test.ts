import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, ProtectedAliasError } from 'temporal-artifacts';
import { ManifestWriter, Store, type ManifestRef } from 'temporal-artifacts/internal';
import { freshPostgresDb } from './contract/services';
import { cli, tempDir } from './helpers';

const backends = [
  { label: 'SQLite', create: async () => {
    const dir = tempDir('artifacts-registry-');
    return { url: `sqlite://${path.join(dir, 'registry.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  } },
  { label: 'PostgreSQL', create: freshPostgresDb },
];

describe.each(backends)('aliases, tags and edits on $label', (backend) => {
  let db: { url: string; drop: () => Promise<void> };
  let store: Store;
  let env: NodeJS.ProcessEnv;
  let empty: ManifestRef;
  const commit = (content: string, extra: { aliases?: string[] } = {}) => store.registry.commit({
    name: 'model', type: 'model', idempotencyKey: `k-${content}`, manifest: { ...empty, digest: createHash('sha256').update(content).digest('hex') }, ...extra,
  });

  beforeAll(async () => {
    db = await backend.create();
    const home = tempDir('artifacts-home-');
    env = { ...process.env, ARTIFACTS_HOME: home, ARTIFACTS_REGISTRY: db.url, ARTIFACTS_USER: 'alice' };
    store = await Store.fromConfig({ home, registryUrl: db.url });
    empty = await new ManifestWriter(store.blobs).finish();
    for (const content of ['a', 'b', 'c']) await commit(content);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  test('a protected alias is placed freely once, then moves or goes only with --force, and each move is recorded', () => {
    expect(cli(['protect', 'production'], env)).toMatchObject({ code: 0, stdout: 'protected aliases of project default: production\n' });
    expect(cli(['alias', 'model:v0', 'production', 'candidate'], env)).toMatchObject({ code: 0, stdout: 'model:v0: production, candidate\n' });
    expect(cli(['alias', 'model:v1', 'candidate'], env).code).toBe(0);

    const refused = cli(['alias', 'model:v1', 'production'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The alias "production" of "model" is protected and points at model:v0; it was not changed (move to v1).');
    expect(cli(['unalias', 'model', 'production'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('it was not changed (remove)') });
    expect(JSON.parse(cli(['show', 'model:production', '--json'], env).stdout)).toMatchObject({ version: 'v0' });

    expect(cli(['alias', 'model:v1', 'production', '--force'], env).code).toBe(0);
    expect(JSON.parse(cli(['show', 'model:production', '--json'], env).stdout)).toMatchObject({ version: 'v1', aliases: ['candidate', 'production'] });
    const history = JSON.parse(cli(['history', 'model', '--json'], env).stdout) as { version: string; change: string; detail: Record<string, unknown>; actor: string; at: string }[];
    expect(history.map((c) => [c.version, c.change, c.detail])).toEqual([
      ['v0', 'alias-set', { alias: 'production', from: null, forced: false }],
      ['v0', 'alias-set', { alias: 'candidate', from: null, forced: false }],
      ['v1', 'alias-set', { alias: 'candidate', from: 'v0', forced: false }],
      ['v1', 'alias-set', { alias: 'production', from: 'v0', forced: true }],
    ]);
    expect(new Set(history.map((c) => c.actor))).toEqual(new Set(['alice']));
    expect(history.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
  });

  test('a commit that would move a protected alias is refused and adds no version', async () => {
    await expect(commit('d', { aliases: ['production'] })).rejects.toBeInstanceOf(ProtectedAliasError);
    expect((await store.registry.versions('model')).map((v) => v.version)).toEqual(['v0', 'v1', 'v2']);
    expect((await store.registry.resolve('model:production')).version).toBe('v1');
  });

  test('edit changes description, metadata and tags, records each with who and when, and leaves files and digest as they were', async () => {
    const before = await store.registry.resolve('model:v2');
    const edited = cli(['edit', 'model:v2', '--description', 'retrained', '--metadata', 'accuracy=0.91', '--metadata', 'owner=ml', '--tag', 'audited', '--json'], env);
    expect(edited.stderr).toBe('');
    expect(JSON.parse(edited.stdout)).toMatchObject({ version: 'v2', description: 'retrained', metadata: { accuracy: 0.91, owner: 'ml' }, tags: ['audited'], digest: before.digest });

    const api = new Api({ env: { ...env, ARTIFACTS_USER: 'bob' } });
    try {
      const v = await (await api.artifact('model:v2')).update({ metadata: { accuracy: 0.93 }, unsetMetadata: ['owner'], removeTags: ['audited'], addTags: ['best'] });
      expect(v).toMatchObject({ description: 'retrained', metadata: { accuracy: 0.93 }, tags: ['best'], digest: before.digest });
      expect((await api.versions('model')).find((x) => x.version === 'v2')?.tags).toEqual(['best']);
    } finally {
      await api.close();
    }
    const after = await store.registry.resolve('model:v2');
    expect(after.manifest).toEqual(before.manifest);

    const changes = (await store.registry.changes('model', 2)).map((c) => [c.change, c.detail, c.actor]);
    expect(changes).toEqual([
      ['description', { from: null, to: 'retrained' }, 'alice'],
      ['metadata', { set: { accuracy: 0.91, owner: 'ml' }, unset: [], before: { accuracy: null, owner: null } }, 'alice'],
      ['tag-added', { tag: 'audited' }, 'alice'],
      ['metadata', { set: { accuracy: 0.93 }, unset: ['owner'], before: { accuracy: 0.91, owner: 'ml' } }, 'bob'],
      ['tag-added', { tag: 'best' }, 'bob'],
      ['tag-removed', { tag: 'audited' }, 'bob'],
    ]);
    expect(cli(['history', 'model:v2'], env).stdout).toMatch(/tag-removed\s+bob\s+audited/);
  });

  test('an edit with nothing to change, or a bad tag, is refused with what to do', () => {
    expect(cli(['edit', 'model:v2'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('Nothing to change: give --description') });
    expect(cli(['edit', 'model:v2', '--tag', 'no spaces'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('Invalid tag "no spaces"') });
  });
});
