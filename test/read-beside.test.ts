import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Artifact, type ArtifactVersion } from 'temporal-artifacts';
import { configFromEnv, downloadVersion, Store } from 'temporal-artifacts/internal';
import { tempDir } from './helpers';
import { sharedRun } from './shared-run';

// A download of a version into the folder where a download placed another one in full (the next version of a
// dataset pulled where the last one is) reads only what differs between the two manifests and places only that.

const shared = sharedRun();
const { api, blobPath } = shared;

/** 1,000 files in 10 folders: a manifest of several leaves. */
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 1000; i++) out[`f${String(i % 10)}/n${String(i).padStart(4, '0')}.txt`] = `file ${i}`;
  return out;
}

async function logged(name: string, contents: Record<string, string>): Promise<ArtifactVersion> {
  const dir = tempDir();
  for (const [rel, text] of Object.entries(contents)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const v = await shared.run.logArtifact(new Artifact(name, 'dataset').addDir(dir));
  return api.artifact(v.ref);
}

/** The digests of a manifest's chunks below its root (the root is a node: a version of 1,000 files has several leaves). */
function leavesOf(v: ArtifactVersion): string[] {
  const root = JSON.parse(fs.readFileSync(blobPath(v.record.manifest.root), 'utf8')) as { n: [string, string, number, number, string][] };
  return root.n.map((row) => row[4]);
}

/** v0 of `name` (the 1,000 files) placed in a fresh folder, and v1: the same with `changes`. */
async function placedThenChanged(name: string, changes: Record<string, string>): Promise<{ v0: ArtifactVersion; v1: ArtifactVersion; target: string }> {
  const before = files();
  const v0 = await logged(name, before);
  const v1 = await logged(name, { ...before, ...changes });
  const target = tempDir();
  await v0.download(target);
  return { v0, v1, target };
}

function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

test('beside the version in place, a download places only what was added or changed, keeps what was removed, and is then in place itself', async () => {
  const before = files();
  const after: Record<string, string> = { ...before, 'f3/n0003.txt': 'changed', 'f9/new.txt': 'added' };
  delete after['f5/n0005.txt'];
  const v0 = await logged('beside-basic', before);
  const v1 = await logged('beside-basic', after);
  const target = tempDir();
  await v0.download(target);

  const progress: [number, number][] = [];
  const store = await Store.fromConfig(configFromEnv());
  try {
    const result = await downloadVersion(store, v1.record, target, { onFile: (done, total) => progress.push([done, total]) });
    expect(result).toMatchObject({ files: 1000, bytes: Object.values(after).reduce((n, t) => n + t.length, 0), fetched: 2, skipped: 998, hashed: 0 });
  } finally {
    await store.close();
  }
  // Progress counts every file once, in order, out of the version's files.
  expect(progress).toEqual(Array.from({ length: 1000 }, (_, i) => [i + 1, 1000]));
  expect([read(target, 'f3/n0003.txt'), read(target, 'f9/new.txt'), read(target, 'f5/n0005.txt')]).toEqual(['changed', 'added', 'file 5']);
  // v1 is now the version in place: a download of it again looks at nothing but its files.
  expect(await v1.download(target)).toMatchObject({ fetched: 0, skipped: 1000 });
  // And back to v0: only the changed file is placed again (the removed one is still there, as v0 had it).
  expect(await v0.download(target)).toMatchObject({ files: 1000, fetched: 1, skipped: 999 });
  expect([read(target, 'f3/n0003.txt'), read(target, 'f9/new.txt')]).toEqual(['file 3', 'added']);
});

test('beside the version in place, the manifest chunks the two versions share are not read (one of them is removed from the store)', async () => {
  const { v0, v1, target } = await placedThenChanged('beside-shared', { 'f0/n0000.txt': 'first changed' });
  const shared = leavesOf(v1).filter((d) => leavesOf(v0).includes(d));
  expect(shared.length).toBeGreaterThan(1);
  const gone = shared[shared.length - 1]!;
  const kept = fs.readFileSync(blobPath(gone));
  fs.rmSync(blobPath(gone));
  try {
    expect(await v1.download(target)).toMatchObject({ fetched: 1, skipped: 999 });
    expect(read(target, 'f0/n0000.txt')).toBe('first changed');
  } finally {
    fs.writeFileSync(blobPath(gone), kept);
  }
});

test('a file of the version in place changed since is put right: that download reads the whole manifest and hashes it', async () => {
  const { v1, target } = await placedThenChanged('beside-touched', { 'f1/n0001.txt': 'new one' });
  // Same size: only reading it can tell.
  fs.writeFileSync(path.join(target, 'f2/n0002.txt'), 'FILE 2');

  expect(await v1.download(target)).toMatchObject({ fetched: 2, skipped: 998, hashed: 1 });
  expect([read(target, 'f1/n0001.txt'), read(target, 'f2/n0002.txt')]).toEqual(['new one', 'file 2']);
});

test('beside the version in place under a path prefix, only that prefix is compared and placed', async () => {
  const before = files();
  const v0 = await logged('beside-prefix', before);
  const v1 = await logged('beside-prefix', { ...before, 'f1/n0001.txt': 'inside', 'f2/n0002.txt': 'outside' });
  const target = tempDir();
  expect(await v0.download(target, { pathPrefix: 'f1/' })).toMatchObject({ files: 100, fetched: 100 });
  expect(await v1.download(target, { pathPrefix: 'f1/' })).toMatchObject({ files: 100, fetched: 1, skipped: 99 });
  expect(read(target, 'f1/n0001.txt')).toBe('inside');
  expect(fs.existsSync(path.join(target, 'f2'))).toBe(false);
  // The whole version into the same folder is another scope: it takes the full road and places the rest.
  expect(await v1.download(target)).toMatchObject({ files: 1000, fetched: 900, skipped: 100 });
});

test('beside the version in place, a changed file whose blob is damaged is named and not written, the others are, and nothing is then taken as placed', async () => {
  const { v1, target } = await placedThenChanged('beside-damaged', { 'f4/n0004.txt': 'v1 four', 'f6/n0006.txt': 'v1 six' });
  const four = (await v1.files()).find((f) => f.path === 'f4/n0004.txt')!;
  const kept = fs.readFileSync(blobPath(four.digest));
  fs.writeFileSync(blobPath(four.digest), 'X'.repeat(kept.length));
  try {
    await expect(v1.download(target)).rejects.toThrow(/f4\/n0004\.txt/);
    expect([read(target, 'f4/n0004.txt'), read(target, 'f6/n0006.txt')]).toEqual(['file 4', 'v1 six']);
  } finally {
    fs.writeFileSync(blobPath(four.digest), kept);
  }
  // Repaired: the next download places the one file left, and only then is v1 in place.
  expect(await v1.download(target)).toMatchObject({ fetched: 1, skipped: 999 });
  expect(read(target, 'f4/n0004.txt')).toBe('v1 four');
  expect(await v1.download(target)).toMatchObject({ fetched: 0, skipped: 1000 });
});

/** Runs `use` with the blobs `digests` taken out of the store (put back after): what it reads of them fails. */
async function withoutBlobs(digests: readonly string[], use: () => Promise<unknown>): Promise<void> {
  const kept = digests.map((d) => fs.readFileSync(blobPath(d)));
  digests.forEach((d) => fs.rmSync(blobPath(d)));
  try {
    await use();
  } finally {
    digests.forEach((d, i) => fs.writeFileSync(blobPath(d), kept[i]!));
  }
}

/** The manifest chunks of `v` that `other` does not share (its root among them): those only `v` reads. */
function ownChunks(v: ArtifactVersion, other: ArtifactVersion): string[] {
  return [v.record.manifest.root, ...leavesOf(v)].filter((d) => d !== other.record.manifest.root && !leavesOf(other).includes(d));
}

test('beside the version that was latest when it was committed, a download applies the changes the commit recorded and reads no manifest chunk', async () => {
  const { v0, v1, target } = await placedThenChanged('beside-recorded', { 'f3/n0003.txt': 'v1 three', 'f7/n0007.txt': 'v1 seven' });
  const own = ownChunks(v1, v0);
  expect(own.length).toBeGreaterThan(1);
  await withoutBlobs(own, async () => expect(await v1.download(target)).toMatchObject({ files: 1000, fetched: 2, skipped: 998 }));
  expect([read(target, 'f3/n0003.txt'), read(target, 'f7/n0007.txt'), read(target, 'f4/n0004.txt')]).toEqual(['v1 three', 'v1 seven', 'file 4']);
  expect(await v1.download(target)).toMatchObject({ fetched: 0, skipped: 1000 });
});

test('recorded changes that do not decode are ignored: the download reads the manifests and places the same files', async () => {
  const { v1, target } = await placedThenChanged('beside-forged', { 'f8/n0008.txt': 'v1 eight' });
  const store = await Store.fromConfig(configFromEnv());
  try {
    const forged = await store.registry.db.run("UPDATE version_deltas SET changes = '[[\"a\", 7]]' WHERE name = ? AND idx = ?", [v1.record.name, v1.record.index]);
    expect(forged.changes).toBe(1);
    expect(await downloadVersion(store, v1.record, target)).toMatchObject({ fetched: 1, skipped: 999 });
  } finally {
    await store.close();
  }
  expect(read(target, 'f8/n0008.txt')).toBe('v1 eight');
});

test('the changes recorded with a version go when it is deleted', async () => {
  const { v1 } = await placedThenChanged('beside-deleted', { 'f2/n0002.txt': 'v1 two' });
  const store = await Store.fromConfig(configFromEnv());
  const rows = async () => (await store.registry.db.all('SELECT 1 FROM version_deltas WHERE name = ? AND idx = ?', [v1.record.name, v1.record.index])).length;
  try {
    expect(await rows()).toBe(1);
    await v1.delete();
    expect(await rows()).toBe(0);
  } finally {
    await store.close();
  }
});

test('a few commits ahead of the version in place, a download follows the changes each commit recorded back to it and reads no manifest chunk of either', async () => {
  const before = files();
  const v0 = await logged('beside-chain', before);
  const step1 = { ...before, 'f1/n0001.txt': 'v1 one', 'f2/n0002.txt': 'v1 two', 'f9/new.txt': 'added in v1' };
  await logged('beside-chain', step1);
  // v2 changes one of v1's files again, puts another back as v0 had it, removes v1's new file and one of v0's.
  const step2: Record<string, string> = { ...step1, 'f1/n0001.txt': 'v2 one', 'f2/n0002.txt': 'file 2', 'f4/n0004.txt': 'v2 four' };
  delete step2['f9/new.txt'];
  delete step2['f5/n0005.txt'];
  const v2 = await logged('beside-chain', step2);
  const target = tempDir();
  await v0.download(target);
  // Two files differ from v0 (f1, f4); f2 is as v0 had it, f9/new.txt never reaches the folder; f5 stays (a download keeps what a version removed).
  await withoutBlobs([...new Set([...ownChunks(v2, v0), ...ownChunks(v0, v2)])], async () =>
    expect(await v2.download(target)).toMatchObject({ files: 999, fetched: 2, skipped: 997 }));
  expect(['f1/n0001.txt', 'f2/n0002.txt', 'f4/n0004.txt'].map((p) => read(target, p))).toEqual(['v2 one', 'file 2', 'v2 four']);
  expect(fs.existsSync(path.join(target, 'f9/new.txt'))).toBe(false);
  expect(await v2.download(target)).toMatchObject({ fetched: 0, skipped: 999 });
});

test('with a version between deleted, its recorded changes are gone: a download a few commits ahead diffs the manifests and places the same files', async () => {
  const before = files();
  const v0 = await logged('beside-chain-gap', before);
  const v1 = await logged('beside-chain-gap', { ...before, 'f1/n0001.txt': 'v1 one' });
  const v2 = await logged('beside-chain-gap', { ...before, 'f1/n0001.txt': 'v1 one', 'f3/n0003.txt': 'v2 three' });
  const target = tempDir();
  await v0.download(target);
  await v1.delete();
  expect(await v2.download(target)).toMatchObject({ files: 1000, fetched: 2, skipped: 998 });
  expect([read(target, 'f1/n0001.txt'), read(target, 'f3/n0003.txt')]).toEqual(['v1 one', 'v2 three']);
});
