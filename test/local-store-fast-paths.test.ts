import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, LocalFileError, type Run } from 'temporal-artifacts';
import { LocalBlobStore, type IngestCheckpoint } from 'temporal-artifacts/internal';
import { isolatedEnv, tempDir, writeFiles, writeUniqueFile, b3 } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

const sha256 = b3;

describe('small files in batches on worker threads', () => {
  test('a batch stores each file under its digest, in the order given, and only once however often it is ingested', async () => {
    const blobs = new LocalBlobStore(path.join(tempDir('artifacts-batch-store-'), 'blobs'));
    const dir = writeFiles({ 'a.txt': 'alpha', 'b/c.txt': 'gamma', 'same-as-a.txt': 'alpha', 'empty.txt': '' });
    const files = ['a.txt', 'b/c.txt', 'same-as-a.txt', 'empty.txt'].map((f) => path.join(dir, f));
    const first = await blobs.ingestFiles(files);
    expect(first.map((r) => r.digest)).toEqual([sha256('alpha'), sha256('gamma'), sha256('alpha'), sha256('')]);
    expect(first.map((r) => r.bytesWritten)).toEqual([5, 5, 0, 0]);
    for (const r of first) expect((await blobs.getBytes(r.digest)).length).toBe(r.size);
    const again = await blobs.ingestFiles(files);
    expect(again.map((r) => r.bytesWritten)).toEqual([0, 0, 0, 0]);
    expect(fs.readdirSync(path.join(blobs.root, 'tmp'))).toEqual([]);
  });

  test('a file that vanished before its batch ran is a LocalFileError naming it', async () => {
    const blobs = new LocalBlobStore(path.join(tempDir('artifacts-batch-store-'), 'blobs'));
    const dir = writeFiles({ 'here.txt': 'here' });
    const gone = path.join(dir, 'gone.txt');
    const failure = blobs.ingestFiles([path.join(dir, 'here.txt'), gone]);
    await expect(failure).rejects.toBeInstanceOf(LocalFileError);
    await expect(failure).rejects.toThrow(gone);
  });
});

describe('large files stored as chunks on every ingest thread', () => {
  test('a large file that grows while it is stored is refused by name, and no file, chunk list or temp file of it is kept', async () => {
    const blobs = new LocalBlobStore(path.join(tempDir('artifacts-kernel-copy-'), 'blobs'));
    const file = path.join(tempDir('artifacts-growing-'), 'growing.bin');
    writeUniqueFile(file, 48 * 1024 * 1024);
    const more = Buffer.alloc(256 * 1024, 7);
    // ingestFile takes the file's size before it returns; the worker thread reads the 48 MiB only after that, so
    // the first append lands before the read reaches the end, wherever the copy and the hash have got to.
    const outcome = blobs.ingestFile(file);
    fs.appendFileSync(file, more);
    let growing = true;
    const grow = (async () => {
      for (let appended = 1; growing && appended < 64; appended++) {
        await new Promise((resolve) => setImmediate(resolve));
        fs.appendFileSync(file, more);
      }
    })();
    const failure = await outcome.then(() => undefined, (err: unknown) => err);
    growing = false;
    await grow;
    expect(failure).toBeInstanceOf(LocalFileError);
    expect(failure).toMatchObject({ localPath: file, reason: expect.stringContaining('it changed size while being read') });
    expect(fs.readdirSync(path.join(blobs.root, 'tmp'))).toEqual([]);
    // Chunks stored before the growth was seen stay until gc (another ingest may already use them); no chunk list
    // was written, so nothing names them.
    const sizes: number[] = [];
    for await (const digest of blobs.list()) sizes.push(fs.statSync(blobs.pathOf(digest)).size);
    expect(sizes.filter((size) => size !== 4 * 1024 * 1024)).toEqual([]);
  });
});

test('a large file cut short while it is stored is refused naming its size before and after, whichever chunk saw it first', async () => {
  const blobs = new LocalBlobStore(path.join(tempDir('artifacts-shrinking-store-'), 'blobs'));
  const file = path.join(tempDir('artifacts-shrinking-'), 'shrinking.bin');
  writeUniqueFile(file, 24 * 1024 * 1024);
  // As above: the size is taken before ingestFile returns, the chunks are read after; the later ones find the end early.
  const outcome = blobs.ingestFile(file);
  fs.truncateSync(file, 6 * 1024 * 1024);
  const failure = await outcome.then(() => undefined, (err: unknown) => err);
  expect(failure).toBeInstanceOf(LocalFileError);
  expect(failure).toMatchObject({ localPath: file, reason: `it changed size while being read (${24 * 1024 * 1024} -> ${6 * 1024 * 1024} bytes)` });
  expect(fs.readdirSync(path.join(blobs.root, 'tmp'))).toEqual([]);
});

describe('resuming a large file', () => {
  test('a resumed ingest writes only the chunks the stopped one had not stored', async () => {
    const blobs = new LocalBlobStore(path.join(tempDir('artifacts-resume-report-'), 'blobs'));
    const file = path.join(tempDir('artifacts-resume-source-'), 'big.bin');
    const digest = writeUniqueFile(file, 80 * 1024 * 1024);
    const stop = new AbortController();
    let saved: IngestCheckpoint | undefined;
    await expect(blobs.ingestFile(file, {
      signal: stop.signal,
      maxBytesPerSecond: 200 * 1024 * 1024,
      onCheckpoint: (cp) => {
        saved = cp;
        stop.abort(new Error('stopped by the test'));
      },
    })).rejects.toThrow();
    expect(saved!.bytesDone).toBeGreaterThan(0);
    const resumed = await blobs.ingestFile(file, { resume: saved });
    expect(resumed.digest).toBe(digest);
    expect(resumed.resumedBytes).toBeGreaterThanOrEqual(saved!.bytesDone);
    expect(resumed.bytesWritten).toBe(80 * 1024 * 1024 - resumed.resumedBytes);
    expect(resumed.bytesWritten % (4 * 1024 * 1024)).toBe(0);
  });
});

describe('logging through the batched and hard-link paths', () => {
  let run: Run;
  const api = new Api();
  beforeAll(async () => {
    run = await init();
  });
  afterAll(async () => {
    await run.finish();
    await api.close();
  });

  test('hundreds of small files across several batches, next to a large one, each get the digest of their own bytes', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 700; i++) files[`d${i % 7}/f${i}.txt`] = `file number ${i}`;
    const dir = writeFiles(files);
    const large = writeUniqueFile(path.join(dir, 'large.bin'), 6 * 1024 * 1024);
    const v = await run.logArtifact(new Artifact('many-small', 'dataset').addDir(dir));
    const entries = new Map((await v.files()).map((e) => [e.path, e.digest]));
    expect(entries.size).toBe(701);
    expect(entries.get('large.bin')).toBe(large);
    for (const [name, content] of Object.entries(files)) expect(entries.get(name)).toBe(sha256(content));
    expect(await v.verify()).toMatchObject({ ok: true, checked: 701 });
  });

  test('by default a stored file is a copy: editing the source in place leaves the version intact', async () => {
    const dir = writeFiles({ 'small.txt': 'original' });
    writeUniqueFile(path.join(dir, 'large.bin'), 5 * 1024 * 1024);
    const v = await run.logArtifact(new Artifact('copied', 'dataset').addDir(dir));
    const blobs = new LocalBlobStore(path.join(env.ARTIFACTS_HOME, 'blobs'));
    for (const e of await v.files()) {
      // A large file is stored as chunks (nothing under its own digest); a small one as a blob of its own.
      if (e.digest.startsWith('blake3c:')) expect(fs.existsSync(blobs.pathOf(e.digest))).toBe(false);
      else expect(fs.statSync(blobs.pathOf(e.digest)).ino).not.toBe(fs.statSync(path.join(dir, e.path)).ino);
    }
    fs.writeFileSync(path.join(dir, 'small.txt'), 'edited!!');
    expect(await v.verify()).toMatchObject({ ok: true });
  });

  test('hardLinkIntoStore links small and large files instead of copying them, and an in-place edit then shows up in verify', async () => {
    const dir = writeFiles({ 'small.txt': 'linked small file' });
    writeUniqueFile(path.join(dir, 'large.bin'), 5 * 1024 * 1024);
    const v = await run.logArtifact(new Artifact('hard-linked', 'dataset').addDir(dir, { hardLinkIntoStore: true }));
    expect(v.stage.bytesWritten).toBe(5 * 1024 * 1024 + 'linked small file'.length);
    const blobs = new LocalBlobStore(path.join(env.ARTIFACTS_HOME, 'blobs'));
    for (const e of await v.files()) expect(fs.statSync(blobs.pathOf(e.digest)).ino).toBe(fs.statSync(path.join(dir, e.path)).ino);
    expect(await v.verify()).toMatchObject({ ok: true, checked: 2 });
    fs.writeFileSync(path.join(dir, 'small.txt'), 'edited in place!!');
    const report = await v.verify();
    expect(report.ok).toBe(false);
    expect(report.mismatches.map((m) => m.path)).toEqual(['small.txt']);
  });
});
