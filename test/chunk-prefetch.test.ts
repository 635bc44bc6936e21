import { expect, test } from 'vitest';
import { type ManifestEntry } from 'temporal-artifacts';
import { ChunkReader, configFromEnv, diffManifests, readLeaves, Store, writeManifest, type BlobStore } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

const entry = (i: number, salt = ''): ManifestEntry => ({ path: `part-${String(i % 9)}/item-${String(i).padStart(5, '0')}`, digest: `blake3:${String(i).padStart(60, '0')}${salt.padStart(4, '0')}`, size: i });

/** The store's blobs as a remote store reads them: each read takes a while, and up to `prefetch` may be in flight. */
function remoteLike(blobs: BlobStore, prefetch: number, missing?: string): { remote: BlobStore; seen: { most: number } } {
  let now = 0;
  const seen = { most: 0 };
  const getBytes = async (digest: string): Promise<Buffer> => {
    seen.most = Math.max(seen.most, ++now);
    await new Promise((r) => setTimeout(r, 5));
    now--;
    if (digest === missing) throw new Error(`blob ${digest} is missing`);
    return blobs.getBytes(digest);
  };
  return { remote: Object.assign(Object.create(blobs) as BlobStore, { prefetch, getBytes }), seen };
}

/** A store holding the manifests of two versions of `count` entries, every hundredth of them changed in the second. */
async function twoVersions(count: number): Promise<{ store: Store; a: { root: string }; b: { root: string } }> {
  const store = await Store.fromConfig(configFromEnv());
  const before = Array.from({ length: count }, (_, i) => entry(i));
  const after = before.map((e, i) => (i % 100 === 0 ? entry(i, 'new') : e));
  return { store, a: await writeManifest(store.blobs, before), b: await writeManifest(store.blobs, after) };
}

test('from a remote store, a manifest is read with the chunks of each node asked for at once, and every entry comes once, in order', async () => {
  const store = await Store.fromConfig(configFromEnv());
  const entries = Array.from({ length: 5000 }, (_, i) => entry(i)).sort((a, b) => (a.path < b.path ? -1 : 1));
  const { root } = await writeManifest(store.blobs, entries);
  const { remote, seen } = remoteLike(store.blobs, 8);
  const read: string[] = [];
  for await (const leaf of readLeaves(remote, root)) read.push(...leaf.map((e) => e.path));
  expect(read).toEqual(entries.map((e) => e.path));
  expect(seen.most).toBe(8);
  await store.close();
});

test('from a remote store, a diff asks at once for the chunks on one side only, and a missing one fails the diff where it is met, not before', async () => {
  const { store, a, b } = await twoVersions(5000);
  const { remote, seen: ahead } = remoteLike(store.blobs, 6);
  const changed: string[] = [];
  for await (const d of diffManifests(new ChunkReader(remote), a.root, b.root)) changed.push(d.path);
  expect(changed.length).toBe(50);
  expect(ahead.most).toBeGreaterThan(1);
  // The last chunk the diff reads, missing: the error comes from that read, after the changes before it.
  const reader = new ChunkReader(store.blobs);
  for await (const d of diffManifests(reader, a.root, b.root)) void d;
  const last = reader.fetched[reader.fetched.length - 1]!;
  const { remote: broken } = remoteLike(store.blobs, 6, last);
  const seen: string[] = [];
  await expect((async () => {
    for await (const d of diffManifests(new ChunkReader(broken), a.root, b.root)) seen.push(d.path);
  })()).rejects.toThrow(/is missing/);
  expect(seen.length).toBeGreaterThan(0);
  await store.close();
});

test('from a remote store, a diff of changes spread over every subtree asks for the chunks below them all at once, not a subtree at a time', async () => {
  const { store, a, b } = await twoVersions(20_000);
  // Far more reads may be in flight than the leaves below any one node of either tree.
  const { remote, seen } = remoteLike(store.blobs, 1000);
  const reader = new ChunkReader(remote);
  let changed = 0;
  for await (const d of diffManifests(reader, a.root, b.root)) changed += d.kind === 'modified' ? 1 : 0;
  expect(changed).toBe(200);
  // The most children a node below either root has: a walk asking a subtree at a time never had many more in flight
  // (about two nodes' worth, one of each tree: 102 against 50 here before).
  const local = new ChunkReader(store.blobs);
  const childrenOf = async (digest: string) => {
    const chunk = await local.read(digest);
    return 'n' in chunk ? chunk.n.map((row) => row[4]) : [];
  };
  const belowRoots = (await Promise.all([a.root, b.root].map(childrenOf))).flat();
  const widest = Math.max(...(await Promise.all(belowRoots.map(async (d) => (await childrenOf(d)).length))));
  expect(widest).toBeGreaterThan(0);
  expect(seen.most).toBeGreaterThan(3 * widest);
  await store.close();
});
