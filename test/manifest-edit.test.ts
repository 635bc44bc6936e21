import { describe, expect, test } from 'vitest';
import { type ManifestEntry } from 'temporal-artifacts';
import { editManifest, readManifest, configFromEnv, Store, versionDigestOf, writeManifest, type BlobStore, type ManifestEdit } from 'temporal-artifacts/internal';
import { isolatedEnv, b3 } from './helpers';

Object.assign(process.env, isolatedEnv());

/** A small seeded PRNG (mulberry32), so every run tries the same edit sets and a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digestOf = b3;
/** An entry; about one in five is a reference (kept in the leaf's trailer), so edits carry those too. */
const entry = (path: string, salt = ''): ManifestEntry => {
  const digest = digestOf(path + salt);
  const base = { path, digest, size: path.length + salt.length };
  return digest.startsWith('a') || digest.startsWith('b') || digest.startsWith('c') ? { ...base, ref: `s3://bucket/${digest.slice(0, 12)}` } : base;
};
const pathOf = (i: number): string => `data/${String(i % 97).padStart(2, '0')}/item-${String(i).padStart(6, '0')}.bin`;

describe('incremental manifest edits', () => {
  test('an edited tree equals, to the root digest, the tree written from scratch with the same entries (random edit sets, fixed seed)', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const next = random(20261126);
    for (let round = 0; round < 40; round++) {
      const size = [0, 1, 5, 70, 700, 6000, 25_000][round % 7]!;
      const base = new Map<string, ManifestEntry>();
      for (let i = 0; i < size; i++) base.set(pathOf(i * 3), entry(pathOf(i * 3)));
      const baseRef = await writeManifest(store.blobs, base.values());
      // A few scattered edits, or a run of neighbours, or (sometimes) almost everything.
      const edits = new Map<string, ManifestEntry | null>();
      const n = round % 5 === 4 ? Math.ceil(size * 0.9) : 1 + Math.floor(next() * 40);
      const start = Math.floor(next() * size * 3);
      for (let k = 0; k < n; k++) {
        const i = round % 3 === 0 ? start + k : Math.floor(next() * (size * 3 + 10));
        const p = pathOf(i);
        const roll = next();
        edits.set(p, base.has(p) && roll < 0.5 ? null : entry(p, String(round)));
      }
      const sorted: ManifestEdit[] = [...edits].map(([path, e]) => ({ path, entry: e })).sort((a, b) => (a.path < b.path ? -1 : 1));
      const expected = new Map(base);
      for (const e of sorted) {
        if (e.entry) expected.set(e.path, e.entry);
        else expected.delete(e.path);
      }
      const scratch = await writeManifest(store.blobs, expected.values());
      const edited = await editManifest(store.blobs, baseRef.root, sorted);
      expect(edited.manifest, `round ${round}: ${size} entries, ${sorted.length} edits`).toEqual(scratch);
      const back: ManifestEntry[] = [];
      for await (const e of readManifest(store.blobs, edited.manifest.root)) back.push(e);
      expect(back).toEqual([...expected.values()].sort((a, b) => (a.path < b.path ? -1 : 1)));
    }
    await store.close();
  });

  test('an edit counts what it added, removed and modified, and a no-op edit keeps the same root', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const base = Array.from({ length: 300 }, (_, i) => entry(pathOf(i)));
    const ref = await writeManifest(store.blobs, base);
    const same = await editManifest(store.blobs, ref.root, [{ path: base[10]!.path, entry: base[10]! }]);
    expect(same.manifest).toEqual(ref);
    expect(same.changes).toEqual({ added: 0, removed: 0, modified: 0 });
    const edits: ManifestEdit[] = [
      { path: base[1]!.path, entry: null },
      { path: base[2]!.path, entry: entry(base[2]!.path, 'new bytes') },
      { path: `${base[2]!.path}.extra`, entry: entry('extra') },
    ];
    const result = await editManifest(store.blobs, ref.root, edits);
    expect(result.changes).toEqual({ added: 1, removed: 1, modified: 1 });
    expect(result.manifest.count).toBe(300);
    await store.close();
  });

  test('the version digest streamed from a remote-style store (windowed async reads) equals the local one and the canonical lines', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const entries = Array.from({ length: 20_000 }, (_, i) => entry(pathOf(i))).sort((a, b) => (a.path < b.path ? -1 : 1));
    const ref = await writeManifest(store.blobs, entries);
    // Same bytes, but not a LocalBlobStore: no synchronous reads, so the windowed path runs.
    const remoteLike: BlobStore = { location: 'remote-like', has: (d) => store.blobs.has(d), putBytes: (b) => store.blobs.putBytes(b), getBytes: (d) => store.blobs.getBytes(d),
      ingestFile: (p, o) => store.blobs.ingestFile(p, o), read: (d) => store.blobs.read(d), hashStored: (d) => store.blobs.hashStored(d), setAsideDamaged: (d) => store.blobs.setAsideDamaged(d), list: () => store.blobs.list(), delete: (d) => store.blobs.delete(d) };
    const canonical = b3(entries.map((e) => `${e.path}\t${e.digest}\t${e.size}\n`).join(''));
    expect(await versionDigestOf(remoteLike, ref.root)).toBe(canonical);
    expect(await versionDigestOf(store.blobs, ref.root)).toBe(canonical);
    expect(ref.digest).toBe(canonical);
    await store.close();
  });

  test('ten changes to a 50,000-entry tree write a handful of chunks, not the tree', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const base = Array.from({ length: 50_000 }, (_, i) => entry(pathOf(i)));
    const ref = await writeManifest(store.blobs, base);
    const edits: ManifestEdit[] = [];
    for (let k = 0; k < 10; k++) {
      const p = base[k * 4999]!.path;
      edits.push({ path: p, entry: k % 2 ? null : entry(p, 'changed') });
    }
    edits.sort((a, b) => (a.path < b.path ? -1 : 1));
    const result = await editManifest(store.blobs, ref.root, edits);
    // ~780 leaves and 25 nodes in all; each change rewrites its leaf (maybe the next) and the nodes above it.
    expect(result.chunksWritten).toBeLessThanOrEqual(10 * 2 + 10 * 3 + 1);
    expect(result.chunkBytes).toBeLessThan(400_000);
    expect(result.chunksRead).toBeLessThanOrEqual(10 * 5 + 2);
    expect(result.changes).toEqual({ added: 0, removed: 5, modified: 5 });
    await store.close();
  });
});
