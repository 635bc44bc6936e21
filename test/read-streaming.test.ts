import { describe, expect, test } from 'vitest';
import { type ManifestEntry } from 'temporal-artifacts';
import { ChunkReader, configFromEnv, diffManifests, Store, writeManifest } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

const entry = (i: number, salt = ''): ManifestEntry => ({ path: `part-${String(i % 50).padStart(2, '0')}/item-${String(i).padStart(6, '0')}`, digest: `sha256:${String(i).padStart(60, '0')}${salt.padStart(4, '0')}`, size: i });

describe('reads of large versions stream through a bounded set of chunks', () => {
  test('a diff of two 30,000-entry trees through a reader holding 16 chunks yields every change, never holding more', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const before = Array.from({ length: 30_000 }, (_, i) => entry(i));
    const after = before.map((e, i) => (i % 10 === 0 ? entry(i, 'new') : e));
    const [a, b] = [await writeManifest(store.blobs, before), await writeManifest(store.blobs, after)];
    const reader = new ChunkReader(store.blobs, 16);
    const modified: string[] = [];
    let most = 0;
    for await (const d of diffManifests(reader, a.root, b.root)) {
      expect(d.kind).toBe('modified');
      modified.push(d.path);
      most = Math.max(most, reader.cachedChunks);
    }
    expect(modified).toEqual(after.filter((_, i) => i % 10 === 0).map((e) => e.path).sort());
    expect(most).toBeLessThanOrEqual(16);
    // The walk read several times more chunks than the reader ever held.
    expect(reader.fetched.length).toBeGreaterThan(4 * 16);
    await store.close();
  });
});
