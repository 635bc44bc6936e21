import { ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { LocalFileError } from 'temporal-artifacts';
import { downloadVersion, ManifestWriter, Store } from 'temporal-artifacts/internal';
import { freshS3Url, removeTestPrefixes, s3Env, TEST_BUCKET } from './contract/services';
import { tempDir, writeUniqueFile, blobKey, b3, contentDigest } from './helpers';

afterAll(removeTestPrefixes);

const MiB = 1024 * 1024;

test('on S3 a large file already stored is recognised chunk by chunk before any chunk is sent again', async () => {
  const url = await freshS3Url();
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const file = path.join(tempDir(), 'twice.bin');
  fs.writeFileSync(file, randomBytes(20 * 1024 * 1024));
  const digest = contentDigest(fs.readFileSync(file));
  expect(await store.blobs.ingestFile(file)).toMatchObject({ digest, bytesWritten: 20 * 1024 * 1024, partsSent: 5 });
  expect(await store.blobs.ingestFile(file)).toMatchObject({ digest, bytesWritten: 0, partsSent: 0 });
  await store.close();
});

test('on S3 a file that changes while its chunks are sent is refused, and nothing is left under its digest or in uploads', async () => {
  const url = await freshS3Url();
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const file = path.join(tempDir(), 'changing.bin');
  // 64 chunks: more than are in flight at once, so the last chunk is read only after the first one is stored.
  fs.writeFileSync(file, randomBytes(256 * MiB));
  const digest = contentDigest(fs.readFileSync(file));
  let rewritten = false;
  const ingest = store.blobs.ingestFile(file, {
    maxBytesPerSecond: 128 * MiB,
    onCheckpoint: (cp) => {
      if (rewritten || cp.bytesDone === 0) return;
      rewritten = true;
      // Same size: only the bytes of the last chunk differ.
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, randomBytes(MiB), 0, MiB, 255 * MiB);
      fs.closeSync(fd);
    },
  });
  await expect(ingest).rejects.toBeInstanceOf(LocalFileError);
  await expect(ingest).rejects.toThrow(/it changed while being read/);
  expect(await store.blobs.has(digest)).toBe(false);
  const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });
  const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: TEST_BUCKET, Prefix: new URL(url).pathname.slice(1) }));
  expect(open.Uploads ?? []).toEqual([]);
  s3.destroy();
  await store.close();
});

test('on S3 the latest checkpoint is reported every second even while parts are slow, so heartbeats never lapse', async () => {
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: await freshS3Url() });
  const file = path.join(tempDir(), 'slow.bin');
  fs.writeFileSync(file, randomBytes(16 * MiB));
  const reports: { at: number; bytesDone: number }[] = [];
  const started = Date.now();
  // 2 MiB/s: the first 4 MiB chunk is read only after about two seconds.
  await store.blobs.ingestFile(file, { maxBytesPerSecond: 2 * MiB, onCheckpoint: (cp) => reports.push({ at: Date.now(), bytesDone: cp.bytesDone }) });
  const gaps = reports.map((r, i) => r.at - (i ? reports[i - 1]!.at : started));
  expect(Math.max(...gaps)).toBeLessThan(1600);
  expect(reports.filter((r) => r.bytesDone === 0).length).toBeGreaterThanOrEqual(2);
  await store.close();
});

/** Puts other bytes under a blob's key, as damage outside this tool would. */
async function damageObject(url: string, digest: string, bytes: Buffer): Promise<void> {
  const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });
  const key = blobKey(new URL(url).pathname.slice(1), digest);
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: bytes }));
  s3.destroy();
}

test('on S3 download refuses an object damaged in place and removes it, so storing its content again repairs it', async () => {
  const url = await freshS3Url();
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const content = randomBytes(4000);
  const digest = await store.blobs.putBytes(content);
  const writer = new ManifestWriter(store.blobs);
  await writer.add({ path: 'data.bin', digest, size: content.length });
  await store.registry.commit({ name: 's3-damaged', type: 'dataset', manifest: await writer.finish(), idempotencyKey: 's3-damaged-1' });
  const version = await store.registry.resolve('s3-damaged:v0');
  const damaged = Buffer.from(content);
  damaged[0] = damaged[0]! ^ 0xff;
  await damageObject(url, digest, damaged);

  const target = tempDir();
  await expect(downloadVersion(store, version, target)).rejects.toThrow(/1 of 1 files of s3-damaged:v0 do not match their digests and were not written/);
  expect(fs.readdirSync(target)).toEqual([]);
  expect(await store.blobs.has(digest)).toBe(false);

  await store.blobs.putBytes(content);
  await downloadVersion(store, version, target);
  expect(fs.readFileSync(path.join(target, 'data.bin'))).toEqual(content);
  await store.close();
});

test('on S3 an object of the wrong size is replaced by the next ingest of its content, a whole file or one chunk', async () => {
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: await freshS3Url() });
  for (const size of [MiB, 40 * MiB]) {
    const file = path.join(tempDir(), 'resized.bin');
    const digest = writeUniqueFile(file, size);
    await store.blobs.ingestFile(file);
    // A large file is stored as chunks: its first chunk gets the wrong size, and only that chunk is sent again.
    const object = size > 4 * MiB ? b3(fs.readFileSync(file).subarray(0, 4 * MiB)) : digest;
    await damageObject(store.blobs.location, object, Buffer.from('short'));
    expect(await store.blobs.ingestFile(file)).toMatchObject({ digest, bytesWritten: Math.min(size, 4 * MiB) });
    expect(await store.blobs.hashStored(digest)).toBe(digest);
  }
  await store.close();
});

test('on S3 a file written to during its upload is refused even when every chunk still holds the same bytes', async () => {
  const url = await freshS3Url();
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const file = path.join(tempDir(), 'touched.bin');
  const digest = writeUniqueFile(file, 48 * MiB);
  let touched = false;
  const ingest = store.blobs.ingestFile(file, {
    onCheckpoint: (cp) => {
      if (touched || cp.bytesDone === 0) return;
      touched = true;
      // The same bytes written back: no chunk differs, but the file was written to mid-upload.
      const fd = fs.openSync(file, 'r+');
      const tail = Buffer.alloc(MiB);
      fs.readSync(fd, tail, 0, MiB, 47 * MiB);
      fs.writeSync(fd, tail, 0, MiB, 47 * MiB);
      fs.closeSync(fd);
    },
  });
  await expect(ingest).rejects.toThrow(/it changed while being read/);
  expect(touched).toBe(true);
  expect(await store.blobs.has(digest)).toBe(false);
  await store.close();
});
