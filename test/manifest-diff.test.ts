import { expect, test } from 'vitest';
import { type ManifestEntry } from 'temporal-artifacts';
import { changesBetween, ChunkReader, composeChanges, configFromEnv, decodeChanges, diffManifests, encodeChanges, Store, writeManifest } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

const entry = (i: number, salt = '', ref?: string): ManifestEntry => ({
  path: `part-${String(i % 7)}/item-${String(i).padStart(5, '0')}`,
  digest: `blake3:${String(i).padStart(60, '0')}${salt.padStart(4, '0')}`,
  size: i,
  ...(ref === undefined ? {} : { ref }),
});

/** The changes between two entry lists, the slow way: every path looked at on both sides. */
function byHand(before: readonly ManifestEntry[], after: readonly ManifestEntry[]): string[] {
  const was = new Map(before.map((e) => [e.path, e]));
  const now = new Map(after.map((e) => [e.path, e]));
  const out: string[] = [];
  for (const p of new Set([...was.keys(), ...now.keys()])) {
    const [x, y] = [was.get(p), now.get(p)];
    if (!x) out.push(`added ${p}`);
    else if (!y) out.push(`removed ${p}`);
    else if (x.digest !== y.digest || x.size !== y.size || x.ref !== y.ref) out.push(`modified ${p}`);
  }
  return out.sort();
}

test('a diff finds every entry added, removed and changed inside leaves over the same paths, references included, as a look at every path does', async () => {
  const store = await Store.fromConfig(configFromEnv());
  const before = Array.from({ length: 3000 }, (_, i) => entry(i, '', i % 997 === 0 ? `s3://bucket/old-${i}` : undefined));
  const after = before
    .filter((_, i) => i % 211 !== 5)
    .map((e, i) => (i % 53 === 0 ? entry(Number(e.path.slice(-5)), 'new') : i % 997 === 0 && e.ref ? { ...e, ref: `${e.ref}-moved` } : e));
  // Added in the middle of leaves: a name that sorts right after an existing one.
  after.push(...[100, 1500, 2900].map((i) => ({ ...entry(i, 'add'), path: `${entry(i).path}a` })));
  const [a, b] = [await writeManifest(store.blobs, before), await writeManifest(store.blobs, after)];
  const found: string[] = [];
  for await (const d of diffManifests(new ChunkReader(store.blobs), a.root, b.root)) found.push(`${d.kind} ${d.path}`);
  const expected = byHand(before, after);
  expect(expected.filter((c) => c.startsWith('added')).length).toBe(3);
  expect(expected.some((c) => c.startsWith('removed'))).toBe(true);
  expect(found.sort()).toEqual(expected);
  await store.close();
});

test('the changes a commit records are the diff itself, references included, none past the limit, and a text that is not such a list decodes to nothing', async () => {
  const store = await Store.fromConfig(configFromEnv());
  try {
    const before = Array.from({ length: 2000 }, (_, i) => entry(i, '', i % 500 === 0 ? `https://example.org/${i}` : undefined));
    const after = before.filter((_, i) => i !== 7).map((e, i) => (i % 400 === 3 ? entry(Number(e.path.slice(-5)), 'new', i === 403 ? 'file:///x' : undefined) : e));
    after.push({ ...entry(50, 'add'), path: `${entry(50).path}b` });
    const [a, b] = [await writeManifest(store.blobs, before), await writeManifest(store.blobs, after)];
    const diff = [];
    for await (const d of diffManifests(new ChunkReader(store.blobs), a.root, b.root)) diff.push(d);
    expect(diff.length).toBe(7);
    const changes = await changesBetween(new ChunkReader(store.blobs), a.root, b.root, 7);
    expect(changes).toEqual(diff);
    expect(decodeChanges(encodeChanges(changes!))).toEqual(diff);
    expect(await changesBetween(new ChunkReader(store.blobs), a.root, b.root, 6)).toBeUndefined();
    for (const text of ['', '{}', '[["a"]]', '[["x","p","d",1,null]]', '[["a","p","d",-1,null]]', '[["a","p","d",1.5,null]]', '[["m","p","d",1,null,"d",2]]', '[["r","p","d",1,7]]']) {
      expect(decodeChanges(text)).toBeUndefined();
    }
    expect(decodeChanges('[["m","p","d",1,null,"c",2,null]]')).toEqual([{ kind: 'modified', path: 'p', before: { path: 'p', digest: 'c', size: 2 }, after: { path: 'p', digest: 'd', size: 1 } }]);
  } finally {
    await store.close();
  }
});

test('two lists of changes, the second since the version of the first, join into what changed from the first base to the last version', () => {
  const e = (p: string, digest: string, size = 1): ManifestEntry => ({ path: p, digest: `blake3:${digest.repeat(64)}`, size });
  const first = [
    { kind: 'added', path: 'a', after: e('a', '1') },
    { kind: 'modified', path: 'b', before: e('b', '0'), after: e('b', '1') },
    { kind: 'modified', path: 'c', before: e('c', '0'), after: e('c', '1') },
    { kind: 'removed', path: 'd', before: e('d', '0') },
    { kind: 'added', path: 'e', after: e('e', '1') },
    { kind: 'modified', path: 'f', before: e('f', '0'), after: e('f', '1') },
  ] as const;
  const second = [
    { kind: 'modified', path: 'a', before: e('a', '1'), after: e('a', '2') },
    { kind: 'modified', path: 'b', before: e('b', '1'), after: e('b', '0') },
    { kind: 'removed', path: 'c', before: e('c', '1') },
    { kind: 'added', path: 'd', after: e('d', '2') },
    { kind: 'removed', path: 'e', before: e('e', '1') },
    { kind: 'added', path: 'g', after: e('g', '2') },
  ] as const;
  expect(composeChanges(first, second)).toEqual([
    { kind: 'added', path: 'a', after: e('a', '2') }, // added, then changed: added as it is now
    // b changed back to the very entry it was: no change
    { kind: 'removed', path: 'c', before: e('c', '0') }, // changed, then removed: removed as it was
    { kind: 'modified', path: 'd', before: e('d', '0'), after: e('d', '2') }, // removed, then added again: changed
    // e added, then removed: no change
    { kind: 'modified', path: 'f', before: e('f', '0'), after: e('f', '1') }, // only in the first
    { kind: 'added', path: 'g', after: e('g', '2') }, // only in the second
  ]);
  // Lists that do not follow each other join into nothing: the caller diffs the manifests.
  expect(composeChanges([{ kind: 'added', path: 'a', after: e('a', '1') }], [{ kind: 'added', path: 'a', after: e('a', '2') }])).toBeUndefined();
  expect(composeChanges([{ kind: 'removed', path: 'a', before: e('a', '1') }], [{ kind: 'removed', path: 'a', before: e('a', '1') }])).toBeUndefined();
  expect(composeChanges([{ kind: 'modified', path: 'a', before: e('a', '0'), after: e('a', '1') }], [{ kind: 'modified', path: 'a', before: e('a', '3'), after: e('a', '2') }])).toBeUndefined();
  expect(composeChanges([{ kind: 'modified', path: 'a', before: e('a', '0'), after: e('a', '1') }], [{ kind: 'modified', path: 'a', before: e('a', '1', 2), after: e('a', '2') }])).toBeUndefined();
});
