import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { IntegrityError, UnsafeTargetError } from 'temporal-artifacts';
import { StatCache, downloadVersion } from 'temporal-artifacts/internal';
import { tempDir, writeFiles } from './helpers';
import { logged, versionOf } from './store-versions';

// The download shortcuts, on the store alone (no Temporal): a version placed in full is checked by stat only; small
// files are created under their name; large ones are placed chunk by chunk on the ingest threads. Each test shows a
// case the shortcut must not get wrong.

const MiB = 1024 * 1024;

function stampsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = fs.lstatSync(path.join(dir, rel), { bigint: true });
    if (st.isFile()) out[rel] = `${st.ino}/${st.mtimeNs}/${st.ctimeNs}`;
  }
  return out;
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A large file of distinct 4 MiB blocks, so that each chunk is a blob of its own. */
function large(mib: number, seed: number): Buffer {
  const out = Buffer.alloc(mib * MiB);
  for (let i = 0; i < out.length; i += 4096) out.writeUInt32LE(seed * 100_000 + i / 4096, i);
  return out;
}

describe('a version placed in full', () => {
  test('is checked again by stat alone: no manifest or blob is read, nothing is rewritten', async () => {
    const { store, download } = await versionOf({ 'a.txt': 'alpha', 'd/b.txt': 'beta', 'd/e/c.txt': 'gamma' });
    const target = tempDir();
    expect(await download(target)).toMatchObject({ files: 3, fetched: 3, skipped: 0 });
    const before = stampsOf(target);
    const blobs = (store.blobs as unknown as { root: string }).root;
    fs.renameSync(blobs, `${blobs}-away`);
    try {
      expect(await download(target)).toMatchObject({ files: 3, bytes: 14, fetched: 0, skipped: 3, hashed: 0 });
    } finally {
      fs.renameSync(`${blobs}-away`, blobs);
    }
    expect(stampsOf(target)).toEqual(before);
  });

  test('a file changed in place with its size and mtime put back is found by its ctime and fetched again', async () => {
    const { download } = await versionOf({ 'a.txt': 'alpha', 'b.txt': 'beta' });
    const target = tempDir();
    await download(target);
    const file = path.join(target, 'a.txt');
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'ALPHA');
    fs.utimesSync(file, atime, mtime);
    expect(await download(target)).toMatchObject({ fetched: 1, skipped: 1 });
    expect(fs.readFileSync(file, 'utf8')).toBe('alpha');
  });

  test('a file whose mtime was set before 1970 is hashed once, then vouched for by stat alone again', async () => {
    const { store, download } = await versionOf({ 'a.txt': 'alpha', 'b.txt': 'beta' });
    const target = tempDir();
    await download(target);
    fs.utimesSync(path.join(target, 'a.txt'), new Date(-315_619_199_877), new Date(-315_619_199_877));
    expect(await download(target)).toMatchObject({ fetched: 0, skipped: 2, hashed: 1 });
    const blobs = (store.blobs as unknown as { root: string }).root;
    fs.renameSync(blobs, `${blobs}-away`);
    try {
      expect(await download(target)).toMatchObject({ fetched: 0, skipped: 2, hashed: 0 });
    } finally {
      fs.renameSync(`${blobs}-away`, blobs);
    }
    expect(fs.readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('alpha');
  });

  test('a version downloaded under a prefix with characters of several bytes is checked again by stat alone', async () => {
    const { store, root } = await versionOf({ 'données/é.txt': 'alpha', 'données/b.txt': 'beta', 'other.txt': 'gamma' });
    const target = tempDir('artifacts-dossier-é-');
    const download = (): ReturnType<typeof downloadVersion> => downloadVersion(store, { name: 'shortcuts', version: 'v0', manifest: { root } } as never, target, { pathPrefix: 'données/' });
    expect(await download()).toMatchObject({ files: 2, fetched: 2 });
    const blobs = (store.blobs as unknown as { root: string }).root;
    fs.renameSync(blobs, `${blobs}-away`);
    try {
      expect(await download()).toMatchObject({ files: 2, fetched: 0, skipped: 2, hashed: 0 });
    } finally {
      fs.renameSync(`${blobs}-away`, blobs);
    }
  });

  test('a file deleted, or replaced by a link, after the version was placed is fetched again', async () => {
    const { download } = await versionOf({ 'a.txt': 'alpha', 'd/b.txt': 'beta' });
    const target = tempDir();
    await download(target);
    fs.rmSync(path.join(target, 'd/b.txt'));
    expect(await download(target)).toMatchObject({ fetched: 1, skipped: 1 });
    fs.rmSync(path.join(target, 'a.txt'));
    fs.symlinkSync(path.join(target, 'd/b.txt'), path.join(target, 'a.txt'));
    expect(await download(target)).toMatchObject({ fetched: 1, skipped: 1 });
    expect(fs.lstatSync(path.join(target, 'a.txt')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('alpha');
  });

  test('a folder swapped for a link to a copy of it is not vouched for: the download refuses to write through it', async () => {
    const { download } = await versionOf({ 'd/b.txt': 'beta' });
    const target = tempDir();
    await download(target);
    fs.renameSync(path.join(target, 'd'), path.join(target, 'moved'));
    fs.symlinkSync(path.join(target, 'moved'), path.join(target, 'd'));
    await expect(download(target)).rejects.toBeInstanceOf(UnsafeTargetError);
  });

  test('a state file that lost a row is not trusted: the lost file is looked at again', async () => {
    const { store, download } = await versionOf({ 'a.txt': 'alpha', 'b.txt': 'beta' });
    const target = tempDir();
    await download(target);
    fs.rmSync(path.join(target, 'b.txt'));
    // The row of b.txt goes, the version stays marked as placed with two files.
    const cache = StatCache.open(store.home, target);
    cache.forget('b.txt');
    cache.save();
    expect(await download(target)).toMatchObject({ files: 2, fetched: 1, skipped: 1 });
    expect(fs.readFileSync(path.join(target, 'b.txt'), 'utf8')).toBe('beta');
  });

  test('after a download of another version, only the files that differ are written, and none is read to know it', async () => {
    const { store, download } = await versionOf({ 'a.txt': 'alpha', 'b.txt': 'beta', 'c.txt': 'gamma' });
    const v1 = await logged(store, { 'a.txt': 'alpha', 'b.txt': 'BETA', 'c.txt': 'gamma' });
    const target = tempDir();
    await download(target);
    const before = stampsOf(target);
    expect(await download(target, v1)).toMatchObject({ fetched: 1, skipped: 2, hashed: 0 });
    const after = stampsOf(target);
    expect(after['a.txt']).toBe(before['a.txt']);
    expect(after['b.txt']).not.toBe(before['b.txt']);
    expect(fs.readFileSync(path.join(target, 'b.txt'), 'utf8')).toBe('BETA');
    expect(await download(target)).toMatchObject({ fetched: 1, skipped: 2, hashed: 0 });
    expect(fs.readFileSync(path.join(target, 'b.txt'), 'utf8')).toBe('beta');
  });
});

describe('small files created under their name', () => {
  test('a file already there that no download wrote is hashed: kept when it matches, replaced when it does not', async () => {
    const { download } = await versionOf({ 'same.txt': 'alpha', 'other.txt': 'beta' });
    const target = writeFiles({ 'same.txt': 'alpha', 'other.txt': 'BETA' });
    const before = stampsOf(target);
    expect(await download(target)).toMatchObject({ fetched: 1, skipped: 1, hashed: 2 });
    const after = stampsOf(target);
    expect(after['same.txt']).toBe(before['same.txt']);
    expect(fs.readFileSync(path.join(target, 'other.txt'), 'utf8')).toBe('beta');
    expect(fs.readdirSync(target).sort()).toEqual(['other.txt', 'same.txt']);
  });

  test('a damaged blob is not written, not even in part; the other files are', async () => {
    const { store, download } = await versionOf({ 'good.txt': 'alpha', 'bad.txt': 'beta' });
    const digest = (await store.blobs.ingestFile(path.join(writeFiles({ x: 'beta' }), 'x'))).digest;
    fs.writeFileSync((store.blobs as unknown as { pathOf(d: string): string }).pathOf(digest), 'BETA');
    const target = tempDir();
    await expect(download(target)).rejects.toThrow(/bad\.txt/);
    expect(fs.readdirSync(target)).toEqual(['good.txt']);
  });
});

describe('large files placed chunk by chunk', () => {
  test('each byte is the stored one, and a second download skips the file', async () => {
    const big = large(13, 1);
    const { download } = await versionOf({ 'big.bin': big, 'small.txt': 'x' });
    const target = tempDir();
    expect(await download(target)).toMatchObject({ fetched: 2, fetchedBytes: big.length + 1 });
    expect(sha(fs.readFileSync(path.join(target, 'big.bin')))).toBe(sha(big));
    expect(await download(target)).toMatchObject({ fetched: 0, skipped: 2 });
  });

  test('a damaged chunk fails the download naming the file, and leaves nothing at its place or under a temp name', async () => {
    const big = large(13, 2);
    const { store, download } = await versionOf({ 'big.bin': big });
    const chunk = big.subarray(4 * MiB, 8 * MiB);
    const chunkDigest = (await store.blobs.ingestFile(path.join(writeFiles({ c: chunk }), 'c'))).digest;
    const chunkFile = (store.blobs as unknown as { pathOf(d: string): string }).pathOf(chunkDigest);
    const damaged = Buffer.from(chunk);
    damaged[12345] = damaged[12345]! ^ 1;
    fs.writeFileSync(chunkFile, damaged);
    const target = tempDir();
    const failed = await download(target).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(IntegrityError);
    expect(String((failed as Error).message)).toMatch(/big\.bin/);
    expect(fs.readdirSync(target)).toEqual([]);
  });
});
