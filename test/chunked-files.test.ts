import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Artifact } from 'temporal-artifacts';
import { collectGarbage, configFromEnv, Store, type LocalBlobStore } from 'temporal-artifacts/internal';
import { referenceBlake3 } from './blake3-reference';
import { b3, blobFile, cli, tempDir } from './helpers';
import { sharedRun } from './shared-run';

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const shared = sharedRun();

/** The digest of a chunked file, computed here from the format's definition (docs/format.md) with the reference BLAKE3. */
function expectedChunkedDigest(bytes: Buffer): string {
  let list = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    const piece = bytes.subarray(offset, offset + CHUNK);
    list += `${referenceBlake3(piece)} ${piece.length}\n`;
  }
  return `blake3c:${referenceBlake3(list)}`;
}

/** Chunk-sized blobs (a file's chunks) in the local store. */
function storedChunks(): Set<string> {
  const root = path.join(shared.env.ARTIFACTS_HOME, 'blobs', 'blake3');
  const found = new Set<string>();
  for (const shard of fs.readdirSync(root)) {
    for (const rest of fs.readdirSync(path.join(root, shard))) {
      if (fs.statSync(path.join(root, shard, rest)).size === CHUNK) found.add(`blake3:${shard}${rest}`);
    }
  }
  return found;
}

describe('files larger than a chunk are stored as chunks', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.fromConfig(configFromEnv());
  });
  afterAll(async () => {
    await store.close();
  });

  test('a multi-chunk file round-trips and verifies, its digest is the root over its chunks, and `artifacts hash` prints the same digests (b3sum\'s for one chunk)', async () => {
    const dir = tempDir();
    const big = randomBytes(2 * CHUNK + 12345);
    const small = randomBytes(CHUNK);
    fs.writeFileSync(path.join(dir, 'model.bin'), big);
    fs.writeFileSync(path.join(dir, 'head.bin'), small);
    const v = await shared.run.logArtifact(new Artifact('chunked-model', 'model').addDir(dir));
    const files = await v.files();
    expect(files).toEqual([
      { path: 'head.bin', digest: `blake3:${referenceBlake3(small)}`, size: CHUNK },
      { path: 'model.bin', digest: expectedChunkedDigest(big), size: big.length },
    ]);
    const out = tempDir();
    await (await shared.api.artifact(v.ref)).download(out);
    expect(fs.readFileSync(path.join(out, 'model.bin')).equals(big)).toBe(true);
    expect(await (await shared.api.artifact(v.ref)).verify()).toMatchObject({ ok: true, checked: 2 });

    const hashed = cli(['hash', path.join(dir, 'head.bin'), path.join(dir, 'model.bin')], shared.env);
    expect(hashed).toMatchObject({ code: 0, stderr: '' });
    expect(hashed.stdout).toBe(`${files[0]!.digest}  ${path.join(dir, 'head.bin')}\n${files[1]!.digest}  ${path.join(dir, 'model.bin')}\n`);
  });

  test('a 1-byte change in place stores one new chunk and leaves no temp file; the old version still verifies', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'weights.bin');
    const bytes = randomBytes(4 * CHUNK + 777);
    fs.writeFileSync(file, bytes);
    await shared.run.logArtifact(new Artifact('one-byte', 'model').addFile(file));
    const before = storedChunks();
    bytes[2 * CHUNK + 5] = bytes[2 * CHUNK + 5]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const v1 = await shared.run.logArtifact(new Artifact('one-byte', 'model').addFile(file));
    const added = [...storedChunks()].filter((d) => !before.has(d));
    expect(added).toEqual([b3(bytes.subarray(2 * CHUNK, 3 * CHUNK))]);
    expect(v1.stage.bytesWritten).toBe(CHUNK);
    // The first chunks are written while they are hashed (a fresh file's are all new); those the store held are dropped.
    expect(fs.readdirSync(path.join(shared.env.ARTIFACTS_HOME, 'blobs', 'tmp'))).toEqual([]);
    expect(await (await shared.api.artifact('one-byte:v0')).verify()).toMatchObject({ ok: true });
    expect(await (await shared.api.artifact('one-byte:v1')).verify()).toMatchObject({ ok: true });
  });

  test('a corrupted chunk is named by verify (index, bytes, digest) and refused by download', async () => {
    const dir = tempDir();
    const bytes = randomBytes(3 * CHUNK);
    fs.writeFileSync(path.join(dir, 'data.bin'), bytes);
    const v = await shared.run.logArtifact(new Artifact('damaged-chunk', 'dataset').addDir(dir));
    const chunk1 = b3(bytes.subarray(CHUNK, 2 * CHUNK));
    const file = blobFile(path.join(shared.env.ARTIFACTS_HOME, 'blobs'), chunk1);
    const damaged = fs.readFileSync(file);
    damaged[100] = damaged[100]! ^ 1;
    fs.writeFileSync(file, damaged);

    const out = tempDir();
    const download = cli(['download', v.ref, out], shared.env);
    expect(download.code).not.toBe(0);
    expect(download.stderr).toContain('data.bin');
    // Nothing at all: the chunks placed before the damaged one was found went to a temp file, dropped with it.
    expect(fs.readdirSync(out)).toEqual([]);

    fs.writeFileSync(file, damaged); // the download set it aside; put the damage back for verify to find
    const verify = cli(['verify', v.ref], shared.env);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`damaged chunk 1 (bytes ${CHUNK}-${2 * CHUNK - 1}, ${chunk1}): holds blake3:`);

    // Logging the content again writes the set-aside chunk anew, and the version verifies again.
    await shared.run.logArtifact(new Artifact('damaged-chunk-again', 'dataset').addDir(dir));
    expect(await (await shared.api.artifact(v.ref)).verify()).toMatchObject({ ok: true });
  });

  test('gc keeps every chunk a live version uses and deletes the chunks only a deleted version used', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'ckpt.bin');
    const bytes = randomBytes(3 * CHUNK);
    fs.writeFileSync(file, bytes);
    const v0 = await shared.run.logArtifact(new Artifact('gc-chunks', 'model').addFile(file));
    const onlyV0 = b3(Buffer.from(bytes.subarray(0, CHUNK)));
    bytes[0] = bytes[0]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    await shared.run.logArtifact(new Artifact('gc-chunks', 'model').addFile(file));
    const shared12 = [b3(bytes.subarray(CHUNK, 2 * CHUNK)), b3(bytes.subarray(2 * CHUNK))];
    await (await shared.api.artifact(v0.ref)).delete({ force: true });
    const blobs = store.blobs as LocalBlobStore;
    const old = new Date(Date.now() - 86_400_000 * 2);
    for await (const d of blobs.list()) fs.utimesSync(blobs.pathOf(d), old, old);
    await collectGarbage(store, { graceMs: 60_000 });
    expect(await blobs.has(onlyV0)).toBe(false);
    for (const d of shared12) expect(await blobs.has(d)).toBe(true);
    expect(await (await shared.api.artifact('gc-chunks:v1')).verify()).toMatchObject({ ok: true });
  });
});
