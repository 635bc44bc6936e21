import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Artifact, IntegrityError } from 'temporal-artifacts';
import { tempDir, writeFiles, writeUniqueFile, b3 } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api, blobPath } = shared;

describe('a damaged blob is repaired by logging its content again', () => {
  test('a blob damaged in place and found by verify is written again by the next log of its content', async () => {
    const dir = writeFiles({ 'a.txt': 'original bytes' });
    const v0 = await shared.run.logArtifact(new Artifact('repair-after-verify', 'dataset').addDir(dir));
    const [entry] = await v0.files();
    fs.writeFileSync(blobPath(entry!.digest), 'ORIGINAL BYTES');
    expect((await v0.verify()).ok).toBe(false);

    const again = await shared.run.logArtifact(new Artifact('repair-after-verify', 'dataset').addDir(dir));
    expect(again.stage.bytesWritten).toBe('original bytes'.length);
    expect((await v0.verify()).ok).toBe(true);
    expect(fs.readFileSync(blobPath(entry!.digest), 'utf8')).toBe('original bytes');
  });

  test('a blob damaged in place and found by download is written again by the next log of its content', async () => {
    const dir = writeFiles({ 'a.txt': 'downloaded bytes' });
    const v0 = await shared.run.logArtifact(new Artifact('repair-after-download', 'dataset').addDir(dir));
    const [entry] = await v0.files();
    fs.writeFileSync(blobPath(entry!.digest), 'DOWNLOADED BYTES');
    await expect((await api.artifact(v0.ref)).download(tempDir())).rejects.toBeInstanceOf(IntegrityError);

    await shared.run.logArtifact(new Artifact('repair-after-download', 'dataset').addDir(dir));
    const target = tempDir();
    await (await api.artifact(v0.ref)).download(target);
    expect(fs.readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('downloaded bytes');
  });

  test('blobs of the wrong size are rewritten by the next ingest of their content, small, batched and large alike', async () => {
    const few = writeFiles({ 'small.txt': 'a small file' });
    writeUniqueFile(path.join(few, 'large.bin'), 5 * 1024 * 1024);
    const many = writeFiles(Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}.txt`, `batched file ${i}`])));
    const fewV0 = await shared.run.logArtifact(new Artifact('repair-by-size-few', 'dataset').addDir(few));
    const manyV0 = await shared.run.logArtifact(new Artifact('repair-by-size-many', 'dataset').addDir(many));
    const damaged = [...(await fewV0.files()), (await manyV0.files())[7]!];
    // A file larger than a chunk is stored as chunks: damage its first one.
    const blobOf = (e: { path: string; digest: string }): string => e.digest.startsWith('blake3c:') ? b3(fs.readFileSync(path.join(few, e.path)).subarray(0, 4 << 20)) : e.digest;
    for (const e of damaged) fs.truncateSync(blobPath(blobOf(e)), 3);
    expect((await fewV0.verify()).mismatches.map((m) => m.path)).toEqual(['large.bin', 'small.txt']);

    // Verify set those two aside: put short bytes back, so only the size check at ingest can find them.
    for (const e of damaged) fs.writeFileSync(blobPath(blobOf(e)), 'bad');
    await shared.run.logArtifact(new Artifact('repair-by-size-few', 'dataset').addDir(few));
    await shared.run.logArtifact(new Artifact('repair-by-size-many', 'dataset').addDir(many));
    expect((await fewV0.verify()).ok).toBe(true);
    expect((await manyV0.verify()).ok).toBe(true);
  });
});
