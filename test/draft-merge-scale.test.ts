import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type ManifestEntry } from 'temporal-artifacts';
import {
  configFromEnv, mergeContributions, RecentBlobs, settleDraft, Store, versionDigestOf, withRecentBlobs, writeManifest, type BlobStore, type Contribution, type DraftIndex,
} from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex');
const entry = (path: string, salt = ''): ManifestEntry => ({ path, digest: digestOf(path + salt), size: path.length });
/** Writer w's files are spread over the whole tree (shard-major paths), so every batch lands in many chunks. */
const filesOf = (w: number, n: number): ManifestEntry[] => Array.from({ length: n }, (_, i) => entry(`part-${String(i).padStart(3, '0')}/writer-${String(w).padStart(4, '0')}.json`));

/** The real store's blobs, counting reads (a read of a chunk is how an O(entries) merge shows itself). */
function counting(blobs: BlobStore): { blobs: BlobStore; reads: () => number } {
  let reads = 0;
  const wrapped = new Proxy(blobs, {
    get(target, key) {
      if (key === 'getBytes') return (digest: string) => (reads++, target.getBytes(digest));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { blobs: wrapped, reads: () => reads };
}

async function contribution(blobs: BlobStore, writer: string, entries: ManifestEntry[]): Promise<Contribution> {
  return { writer, manifest: await writeManifest(blobs, entries) };
}

describe('collaborative merges in O(changes)', () => {
  test('a draft merged in many batches (with repeats, overlaps and a contribution streamed in windows) has the tree written from scratch, root and digest included', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const all = new Map<string, ManifestEntry>();
    let index: DraftIndex = { files: null, writers: null };
    let folds = 0;
    for (let batch = 0; batch < 30; batch++) {
      const contributions: Contribution[] = [];
      for (let k = 0; k < 4; k++) {
        const w = batch * 4 + k;
        // Every writer also brings one file of its predecessor's, with the same bytes: accepted, not added twice.
        const files = [...filesOf(w, 25), ...(w > 0 ? filesOf(w - 1, 1) : [])];
        contributions.push(await contribution(store.blobs, `writer ${w}`, files));
        for (const f of files) all.set(f.path, f);
      }
      // A retried upsert of the previous batch's last writer: a duplicate.
      if (batch > 0) contributions.push(await contribution(store.blobs, `writer ${batch * 4 - 1}`, [...filesOf(batch * 4 - 1, 25), ...filesOf(batch * 4 - 2, 1)]));
      // Once, a contribution larger than the window: judged and merged as a stream of 300-entry windows.
      if (batch === 17) {
        const big = Array.from({ length: 2000 }, (_, i) => entry(`big/${String(i).padStart(5, '0')}.bin`));
        contributions.push(await contribution(store.blobs, 'big writer', big));
        for (const f of big) all.set(f.path, f);
      }
      // Pending entries are folded into the files tree 500 at a time: some batches fold, most do not.
      const merged = await mergeContributions(store.blobs, index, contributions, { window: 300, foldAt: 500 });
      expect(merged.outcomes.map((o) => o.status)).toEqual(contributions.map((_, i) => (batch > 0 && i === 4 ? 'duplicate' : 'merged')));
      if ((merged.index.pending?.count ?? 0) < (index.pending?.count ?? 0)) folds++;
      index = merged.index;
    }
    expect(folds).toBeGreaterThan(3);
    // One last writer of one file: it stays pending (fewer than 500), and the commit's settling folds it in.
    const last = entry('zz/last.bin');
    index = (await mergeContributions(store.blobs, index, [await contribution(store.blobs, 'last writer', [last])], { foldAt: 500 })).index;
    all.set(last.path, last);
    expect(index.pending!.count).toBeGreaterThan(0);
    const settled = await settleDraft(store.blobs, index);
    expect(settled.pending).toBeUndefined();
    const scratch = await writeManifest(store.blobs, all.values());
    expect(settled.files).toEqual({ root: scratch.root, count: scratch.count, size: scratch.size });
    expect(await versionDigestOf(store.blobs, settled.files!.root)).toBe(scratch.digest);
    expect(settled.writers!.count).toBe(122);
    await store.close();
  });

  test('a batch writes about as many chunks at the end of a draft as at its start when pending entries are folded in thousands at a time, and ever more when every batch is folded', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const writesPerQuarter = async (foldAt?: number): Promise<[number, number]> => {
      let writes = 0;
      const counted = new Proxy(store.blobs, {
        get(target, key) {
          if (key === 'putBytes') return (bytes: Uint8Array) => (writes++, target.putBytes(bytes));
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      let index: DraftIndex = { files: null, writers: null };
      const perBatch: number[] = [];
      for (let w = 0; w < 200; w++) {
        const c = await contribution(store.blobs, `writer ${w}`, filesOf(w, 50));
        const before = writes;
        index = (await mergeContributions(counted, index, [c], foldAt === undefined ? {} : { foldAt })).index;
        perBatch.push(writes - before);
      }
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      expect((await settleDraft(store.blobs, index)).files!.count).toBe(10_000);
      return [sum(perBatch.slice(0, 50)), sum(perBatch.slice(-50))];
    };
    // Writer w's 50 files go to 50 folders: every batch lands in up to 50 leaves, and the nodes above them.
    const [first, last] = await writesPerQuarter();
    expect(last).toBeLessThan(first * 1.6);
    const [firstFoldingAll, lastFoldingAll] = await writesPerQuarter(1);
    expect(lastFoldingAll).toBeGreaterThan(firstFoldingAll * 3);
    await store.close();
  });

  test('a contribution is judged against folded and pending entries alike: other bytes at a path, and a file where the other tree has a folder, are refused naming the writer', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const merge = async (index: DraftIndex, writer: string, files: ManifestEntry[]) => mergeContributions(store.blobs, index, [await contribution(store.blobs, writer, files)], { foldAt: 3 });
    let index: DraftIndex = (await merge({ files: null, writers: null }, 'folder', [entry('a/b'), entry('a/c'), entry('x/1')])).index;
    index = (await merge(index, 'pender', [entry('p/q')])).index;
    expect([index.files!.count, index.pending!.count]).toEqual([3, 1]);
    const outcomes = async (writer: string, files: ManifestEntry[]) => (await merge(index, writer, files)).outcomes;
    expect(await outcomes('late 1', [entry('a')])).toEqual([expect.objectContaining({ status: 'conflict', path: 'a', otherPath: 'a/b', otherWriter: 'folder' })]);
    expect(await outcomes('late 2', [entry('p')])).toEqual([expect.objectContaining({ status: 'conflict', path: 'p', otherPath: 'p/q', otherWriter: 'pender' })]);
    expect(await outcomes('late 3', [entry('p/q/r')])).toEqual([expect.objectContaining({ status: 'conflict', path: 'p/q/r', otherPath: 'p/q', otherWriter: 'pender' })]);
    expect(await outcomes('late 4', [entry('p/q', 'other bytes')])).toEqual([expect.objectContaining({ status: 'conflict', path: 'p/q', otherWriter: 'pender' })]);
    expect(await outcomes('same bytes', [entry('p/q'), entry('a/b')])).toEqual([{ writer: 'same bytes', status: 'merged', added: 0 }]);
    await store.close();
  });

  test('one more writer merged into a 30,000-file draft reads and writes a handful of chunks, not the tree', async () => {
    const store = await Store.fromConfig(configFromEnv());
    let index: DraftIndex = { files: null, writers: null };
    const first: Contribution[] = [];
    for (let w = 0; w < 300; w++) first.push(await contribution(store.blobs, `writer ${w}`, filesOf(w, 100)));
    index = (await mergeContributions(store.blobs, index, first)).index;
    expect(index.files!.count).toBe(30_000);
    const counted = counting(store.blobs);
    const late = await contribution(store.blobs, 'writer 300', filesOf(300, 10));
    const merged = await mergeContributions(counted.blobs, index, [late]);
    expect(merged.outcomes).toEqual([{ writer: 'writer 300', status: 'merged', added: 10 }]);
    // ~240 leaves in the files tree; 10 paths touch at most 10 leaves (and their neighbours) plus the nodes above.
    expect(counted.reads()).toBeLessThan(80);
    await store.close();
  });

  test('merged batch after batch through recent blobs, as the mergeDraft activity merges, a draft reads back from the store almost none of the chunks it wrote, and ends with the same tree', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const contributions: Contribution[] = [];
    for (let w = 0; w < 60; w++) contributions.push(await contribution(store.blobs, `writer ${w}`, filesOf(w, 50)));
    const mergeAll = async (blobs: BlobStore): Promise<DraftIndex> => {
      let index: DraftIndex = { files: null, writers: null };
      for (const c of contributions) index = (await mergeContributions(blobs, index, [c])).index;
      return index;
    };
    const plain = counting(store.blobs);
    const direct = await mergeAll(plain.blobs);
    const cached = counting(store.blobs);
    const recent = new RecentBlobs(8 << 20);
    const throughRecent = await mergeAll(withRecentBlobs(cached.blobs, recent));
    expect(throughRecent).toEqual(direct);
    // Each batch re-reads the leaves and nodes the one before wrote: without the cache every one is a store read.
    expect(plain.reads()).toBeGreaterThan(1000);
    expect(cached.reads()).toBeLessThan(plain.reads() / 20);
    expect(recent.heldBytes).toBeLessThanOrEqual(8 << 20);
    await store.close();
  });

  test('recent blobs hold at most their byte limit, drop the least recently used first, and skip blobs too large to keep', () => {
    const recent = new RecentBlobs(300, 150);
    const blob = (n: number, size = 100): Buffer => Buffer.alloc(size, n);
    recent.set('a', blob(1));
    recent.set('b', blob(2));
    recent.set('c', blob(3));
    expect(recent.get('a')).toEqual(blob(1)); // a is now the most recently used: b goes first
    recent.set('d', blob(4));
    expect([recent.get('a'), recent.get('b'), recent.get('c'), recent.get('d')]).toEqual([blob(1), undefined, blob(3), blob(4)]);
    expect(recent.heldBytes).toBe(300);
    recent.set('e', blob(5, 200));
    expect(recent.get('e')).toBeUndefined();
    expect(recent.heldBytes).toBe(300);
  });

  test('a contribution larger than the window that conflicts in its last window is refused whole, naming the writer, and the draft is unchanged', async () => {
    const store = await Store.fromConfig(configFromEnv());
    const early = await contribution(store.blobs, 'early', [entry('z/last.bin')]);
    const { index } = await mergeContributions(store.blobs, { files: null, writers: null }, [early]);
    const big = [...Array.from({ length: 1000 }, (_, i) => entry(`a/${String(i).padStart(4, '0')}`)), entry('z/last.bin', 'other bytes')];
    const merged = await mergeContributions(store.blobs, index, [await contribution(store.blobs, 'big', big)], { window: 100 });
    expect(merged.outcomes).toEqual([expect.objectContaining({ writer: 'big', status: 'conflict', path: 'z/last.bin', otherWriter: 'early' })]);
    expect(merged.index).toEqual(index);
    expect(merged.newWriters).toBe(0);
    await store.close();
  });
});
