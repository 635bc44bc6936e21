import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectGarbage, deleteVersions, Store, writeManifest } from 'temporal-artifacts/internal';
import { freshPostgresDb, freshS3Url, removeTestPrefixes } from './contract/services';
import { tempDir, b3 } from './helpers';

const sha = b3;

/**
 * gc on S3, at the store level, where the moments that matter can be chosen: S3 cannot record that a writer found a
 * blob present, so the sweep runs only while no write runs and moves blobs to a trash first; what a write that
 * started meanwhile, or a version committed meanwhile, may need goes back when the sweep is settled.
 */
describe('gc on an S3 store', () => {
  let store: Store;
  let drop: () => Promise<void>;
  let seq = 0;
  const commit = async (name: string, contents: readonly string[]) => {
    const entries = await Promise.all(contents.map(async (c, i) => ({ path: `f${i}.txt`, digest: await store.blobs.putBytes(Buffer.from(c)), size: c.length })));
    const manifest = await writeManifest(store.blobs, entries);
    return store.registry.commit({ name, type: 'dataset', manifest, idempotencyKey: `gc-s3-${seq++}` });
  };
  beforeAll(async () => {
    const db = await freshPostgresDb();
    drop = db.drop;
    store = await Store.fromConfig({ home: tempDir(), registryUrl: db.url, blobUrl: await freshS3Url() });
  });
  afterAll(async () => {
    await store.close();
    await drop();
    await removeTestPrefixes();
  });

  test('a deleted version\'s blobs are freed; nothing is swept while a write runs', async () => {
    await commit('s3-gc', ['kept by v1', 'only in v0']);
    await commit('s3-gc', ['kept by v1']);
    await deleteVersions(store.registry, 's3-gc', [0], { by: 'test' });
    const deferred = await collectGarbage(store, { graceMs: 0, runningWrites: 1 });
    expect(deferred).toMatchObject({ deferred: true, deleted: 0 });
    expect(await store.blobs.has(sha('only in v0'))).toBe(true);
    const swept = await collectGarbage(store, { graceMs: 0, runningWrites: 0, writesStartedSince: async () => false });
    expect(swept).toMatchObject({ deferred: false });
    expect(await store.blobs.has(sha('only in v0'))).toBe(false);
    expect(await store.blobs.has(sha('kept by v1'))).toBe(true);
  });

  test('a version committed during the sweep gets its trashed blob back; a write that started during it gets the whole trash back', async () => {
    const reused = await store.blobs.putBytes(Buffer.from('found present by a writer just before gc trashed it'));
    const orphan = await store.blobs.putBytes(Buffer.from('nobody needs me'));
    const committedDuring = await collectGarbage(store, {
      graceMs: 0, runningWrites: 0, writesStartedSince: async () => false,
      onCandidate: async (digest) => {
        if (digest === reused) await commit('committed-during-gc', ['found present by a writer just before gc trashed it']);
      },
    });
    expect(committedDuring.rescued).toBeGreaterThanOrEqual(1);
    expect(await store.blobs.has(reused)).toBe(true);
    expect(await store.blobs.has(orphan)).toBe(false);
    const again = await store.blobs.putBytes(Buffer.from('nobody needs me'));
    const writeStarted = await collectGarbage(store, { graceMs: 0, runningWrites: 0, writesStartedSince: async () => true });
    expect(writeStarted.deleted).toBe(0);
    expect(await store.blobs.has(again)).toBe(true);
    expect((await store.registry.resolve('committed-during-gc')).manifest.count).toBe(1);
  });
});
