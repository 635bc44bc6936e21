import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { downloadVersion, ManifestWriter, Store, verifyVersion } from 'temporal-artifacts/internal';
import { freshS3Url, removeTestPrefixes, s3Env, TEST_BUCKET } from './contract/services';
import { b3, blobFile, blobKey, tempDir } from './helpers';

afterAll(removeTestPrefixes);

const CHUNK = 4 * 1024 * 1024;

function client(): S3Client {
  return new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });
}

/** Every key under the store's prefix. */
async function keysOf(url: string): Promise<string[]> {
  const s3 = client();
  const prefix = `${new URL(url).pathname.slice(1)}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  s3.destroy();
  return keys;
}

/** A fresh S3 store holding a version of one file of `size` random bytes at `name`, stored as chunks. */
async function oneFileVersion(name: string, size: number): Promise<{ url: string; home: string; store: Store; bytes: Buffer; version: Parameters<typeof verifyVersion>[1] }> {
  const url = await freshS3Url();
  const home = tempDir();
  const store = await Store.fromConfig({ home, blobUrl: url });
  const file = path.join(tempDir(), name);
  const bytes = randomBytes(size);
  fs.writeFileSync(file, bytes);
  const stored = await store.blobs.ingestFile(file);
  const writer = new ManifestWriter(store.blobs);
  await writer.add({ path: name, digest: stored.digest, size: stored.size });
  const manifest = await writer.finish();
  const version = { name: 'v', version: 'v0', digest: manifest.digest, manifest } as unknown as Parameters<typeof verifyVersion>[1];
  return { url, home, store, bytes, version };
}

test('on S3 a new version of a large file uploads only the chunks the bucket lacks: one PUT of a chunk for a 1-byte change', async () => {
  const url = await freshS3Url();
  const store = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const file = path.join(tempDir(), 'weights.bin');
  const bytes = randomBytes(5 * CHUNK + 99);
  fs.writeFileSync(file, bytes);
  const first = await store.blobs.ingestFile(file);
  expect(first).toMatchObject({ size: bytes.length, bytesWritten: bytes.length, partsSent: 6, chunks: 6 });
  const before = await keysOf(url);
  expect(before).toHaveLength(7); // six chunks and the chunk list

  bytes[3 * CHUNK + 1] = bytes[3 * CHUNK + 1]! ^ 0xff;
  fs.writeFileSync(file, bytes);
  const second = await store.blobs.ingestFile(file);
  expect(second).toMatchObject({ size: bytes.length, bytesWritten: CHUNK, partsSent: 1, chunks: 6 });
  const added = (await keysOf(url)).filter((k) => !before.includes(k));
  const prefix = new URL(url).pathname.slice(1);
  expect(added.sort()).toEqual([blobKey(prefix, b3(bytes.subarray(3 * CHUNK, 4 * CHUNK))), blobKey(prefix, `blake3:${second.digest.slice('blake3c:'.length)}`)].sort());

  // The same bytes again: nothing is sent.
  expect(await store.blobs.ingestFile(file)).toMatchObject({ bytesWritten: 0, partsSent: 0 });
  await store.close();
});

test('on S3 a chunked file downloads and verifies, and a chunk damaged in the bucket is named by verify and refused by download', async () => {
  const { url, store, bytes, version } = await oneFileVersion('data.bin', 2 * CHUNK + 5);

  const out = tempDir();
  await downloadVersion(store, version, out);
  expect(fs.readFileSync(path.join(out, 'data.bin')).equals(bytes)).toBe(true);
  expect(await verifyVersion(store, version)).toMatchObject({ ok: true });

  const chunk1 = b3(bytes.subarray(CHUNK, 2 * CHUNK));
  const s3 = client();
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: blobKey(new URL(url).pathname.slice(1), chunk1), Body: randomBytes(CHUNK) }));
  s3.destroy();
  // A fresh data folder: nothing served from an earlier read's cache.
  const cold = await Store.fromConfig({ home: tempDir(), blobUrl: url });
  const report = await verifyVersion(cold, version);
  expect(report.ok).toBe(false);
  expect(report.mismatches[0]!.chunks).toEqual([expect.stringMatching(new RegExp(`^chunk 1 \\(bytes ${CHUNK}-${2 * CHUNK - 1}, ${chunk1}\\): holds blake3:`))]);
  await expect(downloadVersion(cold, version, tempDir())).rejects.toThrow(/data\.bin/);
  await cold.close();
  await store.close();
});

test('on S3 a chunked file is placed from the read cache where it can: a cached chunk is not fetched, a damaged cached chunk is fetched again, and a chunk damaged in both fails the file and leaves nothing', async () => {
  const { url, home, store, bytes, version } = await oneFileVersion('model.bin', 3 * CHUNK + 17);
  const chunks = [0, 1, 2, 3].map((i) => b3(bytes.subarray(i * CHUNK, (i + 1) * CHUNK)));
  const cached = (digest: string): Buffer => fs.readFileSync(blobFile(path.join(home, 'cache'), digest));
  const prefix = new URL(url).pathname.slice(1);

  await downloadVersion(store, version, tempDir());
  for (const [i, digest] of chunks.entries()) expect(cached(digest).equals(bytes.subarray(i * CHUNK, (i + 1) * CHUNK))).toBe(true);

  const s3 = client();
  await s3.send(new DeleteObjectCommand({ Bucket: TEST_BUCKET, Key: blobKey(prefix, chunks[0]!) }));
  fs.writeFileSync(blobFile(path.join(home, 'cache'), chunks[1]!), randomBytes(CHUNK));
  const second = tempDir();
  await downloadVersion(store, version, second);
  expect(fs.readFileSync(path.join(second, 'model.bin')).equals(bytes)).toBe(true);
  expect(cached(chunks[1]!).equals(bytes.subarray(CHUNK, 2 * CHUNK))).toBe(true);

  fs.writeFileSync(blobFile(path.join(home, 'cache'), chunks[2]!), randomBytes(CHUNK));
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: blobKey(prefix, chunks[2]!), Body: randomBytes(CHUNK) }));
  s3.destroy();
  const third = tempDir();
  await expect(downloadVersion(store, version, third)).rejects.toThrow(/model\.bin/);
  expect(fs.readdirSync(third, { recursive: true })).toEqual([]);
  await store.close();
});
