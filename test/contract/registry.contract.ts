import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArtifactNotFoundError, TypeMismatchError } from 'temporal-artifacts';
import { ManifestWriter, Store, type ManifestRef } from 'temporal-artifacts/internal';
import { nodeScript, tempDir } from '../helpers';

/** A registry backend under test: a fresh, empty database each time `create` is called. */
export interface RegistryBackend {
  readonly label: string;
  create(): Promise<{ url: string; drop: () => Promise<void> }>;
}

const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * What every registry must do, whatever database holds it. The same tests run against SQLite and PostgreSQL
 * (registry-sqlite.test.ts, registry-postgres.test.ts).
 */
export function registryContract(backend: RegistryBackend): void {
  describe(`registry contract on ${backend.label}`, () => {
    let db: { url: string; drop: () => Promise<void> };
    let store: Store;
    let empty: ManifestRef;
    const manifest = (content: string, size = 0): ManifestRef => ({ ...empty, digest: digestOf(content), size });
    const commit = (name: string, content: string, key: string, extra: Partial<Parameters<Store['registry']['commit']>[0]> = {}) =>
      store.registry.commit({ name, type: 'dataset', manifest: manifest(content), idempotencyKey: key, ...extra });

    beforeAll(async () => {
      db = await backend.create();
      store = await Store.fromConfig({ home: tempDir(), registryUrl: db.url });
      empty = await new ManifestWriter(store.blobs).finish();
    });
    afterAll(async () => {
      await store.close();
      await db.drop();
    });

    test('the first commit is v0 with latest; identical content returns it; new content is v1 and takes latest', async () => {
      const first = await commit('images', 'a', 'k1', { aliases: ['best'] });
      expect(first).toMatchObject({ created: true, version: { name: 'images', type: 'dataset', version: 'v0', index: 0, aliases: ['latest', 'best'] } });
      const same = await commit('images', 'a', 'k2', { aliases: ['candidate'] });
      expect(same).toMatchObject({ created: false, version: { version: 'v0', aliases: ['latest', 'best', 'candidate'] } });
      const next = await commit('images', 'b', 'k3', { aliases: ['best'] });
      expect(next).toMatchObject({ created: true, version: { version: 'v1', aliases: ['latest', 'best'] } });
      expect((await store.registry.versions('images')).map((v) => [v.version, v.aliases])).toEqual([['v0', ['candidate']], ['v1', ['latest', 'best']]]);
    });

    test('a retried idempotency key returns the first result and writes nothing new', async () => {
      const first = await commit('idem', 'x', 'same-key');
      const again = await commit('idem', 'y', 'same-key');
      expect(again).toEqual({ created: false, version: first.version });
      expect(await store.registry.findCommit('same-key')).toEqual(first.version);
      expect((await store.registry.versions('idem')).length).toBe(1);
    });

    test('refs resolve by index, alias and digest prefix; unknown refs say what exists', async () => {
      const v0 = (await commit('refs', 'r0', 'r0')).version;
      const v1 = (await commit('refs', 'r1', 'r1', { aliases: ['prod'] })).version;
      expect((await store.registry.resolve('refs:v0')).digest).toBe(v0.digest);
      expect((await store.registry.resolve('refs:prod')).index).toBe(1);
      expect((await store.registry.resolve('refs')).index).toBe(1);
      expect((await store.registry.resolve(`refs@${v1.digest.slice(0, 12)}`)).index).toBe(1);
      await expect(store.registry.resolve('refs:v7')).rejects.toThrow(/has versions v0\.\.v1 and aliases latest, prod/);
      await expect(store.registry.resolve('nothing-here')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    });

    test('a name keeps its type: logging another type to it is refused', async () => {
      await commit('typed', 't', 't1');
      await expect(store.registry.commit({ name: 'typed', type: 'model', manifest: manifest('t2'), idempotencyKey: 't2' })).rejects.toBeInstanceOf(TypeMismatchError);
    });

    test('aliases, descriptions, metadata, lineage and sizes over 4 GiB round-trip', async () => {
      const base = (await commit('lineage-src', 's', 's')).version;
      const big = 5 * 1024 ** 3 + 7;
      const v = (await store.registry.commit({
        name: 'lineage-dst', type: 'dataset', manifest: manifest('d', big), idempotencyKey: 'd', description: 'first',
        metadata: { accuracy: 0.9, tags: ['a'] }, producer: { workflowId: 'wf', runId: 'run' }, uses: [{ name: base.name, index: base.index }],
      })).version;
      expect(v).toMatchObject({ description: 'first', metadata: { accuracy: 0.9, tags: ['a'] }, producer: { workflowId: 'wf', runId: 'run' } });
      expect(v.manifest.size).toBe(big);
      await store.registry.setAlias('lineage-dst', 'golden', 0, { actor: 'test' });
      await store.registry.update('lineage-dst', 0, { description: 'edited', metadata: { accuracy: 0.95 }, unsetMetadata: ['tags'] }, { actor: 'test', maxMetadataBytes: 1024 });
      const back = await store.registry.resolve('lineage-dst:golden');
      expect(back).toMatchObject({ description: 'edited', metadata: { accuracy: 0.95 }, aliases: ['latest', 'golden'] });
      await store.registry.removeAlias('lineage-dst', 'golden', { actor: 'test' });
      await expect(store.registry.resolve('lineage-dst:golden')).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.registry.removeAlias('lineage-dst', 'golden', { actor: 'test' })).rejects.toThrow(/has the alias "golden"/);
      expect(await store.registry.uses('lineage-dst', 0)).toEqual([{ name: 'lineage-src', version: 'v0' }]);
      expect(await store.registry.manifestRoots()).toContain(empty.root);
      expect((await store.registry.artifacts()).find((a) => a.name === 'lineage-dst')).toMatchObject({ type: 'dataset', versions: 1, latest: 'v0' });
    });

    test('reopening runs no migration twice and keeps the data', async () => {
      const again = await Store.fromConfig({ home: tempDir(), registryUrl: db.url });
      expect((await again.registry.resolve('images:v1')).version).toBe('v1');
      const applied = await again.registry.db.all<{ version: number | string }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(applied.map((r) => Number(r.version))).toEqual(applied.map((_, i) => i + 1));
      await again.close();
    });

    test('16 concurrent commits from 4 processes that open a fresh database at once get v0..v15, each once', async () => {
      const fresh = await backend.create();
      try {
        const script = (p: number) => `
          import { Store, ManifestWriter } from 'temporal-artifacts/internal';
          import { createHash } from 'node:crypto';
          import os from 'node:os';
          const store = await Store.fromConfig({ home: os.tmpdir() + '/p${p}-' + process.pid, registryUrl: process.env.REGISTRY_URL });
          const empty = await new ManifestWriter(store.blobs).finish();
          const results = await Promise.all([0, 1, 2, 3].map((i) => store.registry.commit({
            name: 'contended', type: 'dataset', idempotencyKey: 'p${p}-' + i,
            manifest: { ...empty, digest: createHash('sha256').update('p${p}-' + i).digest('hex') } })));
          console.log(JSON.stringify(results.map((r) => r.version.index)));
          await store.close();`;
        const runs = await Promise.all([0, 1, 2, 3].map((p) => nodeScript(script(p), { ...process.env, REGISTRY_URL: fresh.url })));
        for (const r of runs) expect(r.stderr).toBe('');
        const indexes = runs.flatMap((r) => JSON.parse(r.stdout) as number[]).sort((a, b) => a - b);
        expect(indexes).toEqual(Array.from({ length: 16 }, (_, i) => i));
        const check = await Store.fromConfig({ home: tempDir(), registryUrl: fresh.url });
        const versions = await check.registry.versions('contended');
        expect(versions.map((v) => v.index)).toEqual(indexes);
        expect(new Set(versions.map((v) => v.digest)).size).toBe(16);
        expect((await check.registry.resolve('contended:latest')).index).toBe(15);
        await check.close();
      } finally {
        await fresh.drop();
      }
    });
  });
}
