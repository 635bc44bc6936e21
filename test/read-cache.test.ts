import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Artifact } from 'temporal-artifacts';
import { freshS3Url, removeTestPrefixes, s3Env, TEST_BUCKET } from './contract/services';
import { spawnLive, tempDir, writeFiles, writeUniqueFile, shortDigest, blobFile, b3, blobKey as keyOf, contentDigest } from './helpers';
import { sharedRun } from './shared-run';

// The S3 store is set up before the shared run opens (this beforeAll is registered first), so the run logs to it.
let storeUrl = '';
beforeAll(async () => {
  storeUrl = await freshS3Url();
  process.env['ARTIFACTS_STORE'] = storeUrl;
});
const shared = sharedRun();
const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });
afterAll(async () => {
  s3.destroy();
  await removeTestPrefixes();
});

const { env } = shared;
const prefix = (): string => new URL(storeUrl).pathname.slice(1);
const cacheFile = (digest: string): string => blobFile(path.join(env.ARTIFACTS_HOME, 'cache'), digest);
const blobKey = (digest: string): string => keyOf(prefix(), digest);
const artifacts = (args: string[], extra: Record<string, string> = {}): ReturnType<typeof spawnLive>['exited'] =>
  spawnLive(args, { ...env, ...s3Env, ARTIFACTS_STORE: storeUrl, ...extra }).exited;

/** Files whose content no other test logs, so the bucket and cache hold them for this test alone. */
function files(tag: string, count: number, size = 1000): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`part-${i}.txt`, `${tag}-${i}-`.padEnd(size, '.')]));
}

async function damageInBucket(digest: string, size: number): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: blobKey(digest), Body: 'X'.repeat(size) }));
}

describe('the shared read cache of an S3 store', () => {
  test('two processes downloading at once share the cache; a later download is served from it even when the bucket is damaged', async () => {
    // 100 small files: enough for staging to send them to S3 in concurrent batches.
    const v = await shared.run.logArtifact(new Artifact('cached', 'dataset').addDir(writeFiles(files('cached', 100))));
    const [a, b] = [tempDir(), tempDir()];
    const both = await Promise.all([artifacts(['download', v.ref, a]), artifacts(['download', v.ref, b])]);
    for (const r of both) expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining('100 fetched') });
    const entries = await v.files();
    for (const e of entries) expect(fs.statSync(cacheFile(e.digest)).size).toBe(e.size);
    expect(fs.readdirSync(path.join(env.ARTIFACTS_HOME, 'cache', 'tmp'))).toEqual([]);

    for (const e of entries) await damageInBucket(e.digest, e.size);
    const c = tempDir();
    expect(await artifacts(['download', v.ref, c])).toMatchObject({ code: 0 });
    for (const e of entries) expect(fs.readFileSync(path.join(c, e.path), 'utf8')).toBe(fs.readFileSync(path.join(a, e.path), 'utf8'));
  });

  test('a cache entry damaged on disk is not served: the blob is fetched again, and with the bucket damaged too the download fails naming the file', async () => {
    const v = await shared.run.logArtifact(new Artifact('cache-damage', 'dataset').addDir(writeFiles(files('cache-damage', 2))));
    expect(await artifacts(['download', v.ref, tempDir()])).toMatchObject({ code: 0 });
    const [first, second] = await v.files();
    fs.writeFileSync(cacheFile(first!.digest), 'Y'.repeat(first!.size));

    const out = tempDir();
    expect(await artifacts(['download', v.ref, out])).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(out, first!.path), 'utf8')).toBe(files('cache-damage', 2)[first!.path]);
    expect(fs.readFileSync(cacheFile(first!.digest), 'utf8')).toBe(files('cache-damage', 2)[first!.path]);

    fs.writeFileSync(cacheFile(second!.digest), 'Y'.repeat(second!.size));
    await damageInBucket(second!.digest, second!.size);
    const failed = await artifacts(['download', v.ref, tempDir()]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`1 of 2 files of ${v.ref} do not match their digests`);
    expect(failed.stderr).toContain(`  ${second!.path}: expected ${shortDigest(second!.digest)}`);
  });

  test('a manifest chunk damaged in the cache is not used: it is fetched again, and the cache then holds its right bytes', async () => {
    const v = await shared.run.logArtifact(new Artifact('cache-manifest', 'dataset').addDir(writeFiles(files('cache-manifest', 3))));
    expect(await artifacts(['download', v.ref, tempDir()])).toMatchObject({ code: 0 });
    const root = (await shared.api.artifact(v.ref)).record.manifest.root;
    const good = fs.readFileSync(cacheFile(root));
    fs.writeFileSync(cacheFile(root), Buffer.alloc(good.length, 0x5a));
    const again = tempDir();
    expect(await artifacts(['download', v.ref, again])).toMatchObject({ code: 0, stdout: expect.stringContaining('3 fetched') });
    expect(fs.readFileSync(path.join(again, 'part-2.txt'), 'utf8')).toBe(files('cache-manifest', 3)['part-2.txt']);
    expect(fs.readFileSync(cacheFile(root)).equals(good)).toBe(true);
  });

  test('a file over 64 MiB is read as chunks, several in flight, verified, and each chunk cached', async () => {
    const dir = tempDir();
    const digest = writeUniqueFile(path.join(dir, 'big.bin'), 70 * 1024 * 1024 + 123);
    const v = await shared.run.logArtifact(new Artifact('cache-big', 'model').addDir(dir));
    const out = tempDir();
    expect(await artifacts(['download', v.ref, out])).toMatchObject({ code: 0 });
    const bytes = fs.readFileSync(path.join(out, 'big.bin'));
    expect(contentDigest(bytes)).toBe(digest);
    // Stored as 4 MiB chunks, each cached on its own: a later version that shares chunks reads them from the cache.
    expect(fs.statSync(cacheFile(b3(bytes.subarray(0, 4 << 20)))).size).toBe(4 << 20);
    expect(fs.statSync(cacheFile(b3(bytes.subarray(68 << 20)))).size).toBe((2 << 20) + 123);
  });

  test('the cache keeps under its cap, dropping the least recently used blobs first', async () => {
    const capped = { ARTIFACTS_CACHE_MAX_BYTES: '12000' };
    const cacheTotal = (): number => {
      const root = path.join(env.ARTIFACTS_HOME, 'cache', 'blake3');
      return fs.readdirSync(root).flatMap((d) => fs.readdirSync(path.join(root, d)).map((f) => fs.statSync(path.join(root, d, f)).size)).reduce((n, s) => n + s, 0);
    };
    const v = await shared.run.logArtifact(new Artifact('cache-capped', 'dataset').addDir(writeFiles(files('cache-capped', 30))));
    expect(await artifacts(['download', v.ref, tempDir()], capped)).toMatchObject({ code: 0 });
    expect(cacheTotal()).toBeLessThanOrEqual(12000);

    expect(await artifacts(['cat', v.ref, 'part-0.txt'], capped)).toMatchObject({ code: 0 });
    const used = (await v.files()).find((e) => e.path === 'part-0.txt')!;
    expect(fs.existsSync(cacheFile(used.digest))).toBe(true);
    const w = await shared.run.logArtifact(new Artifact('cache-capped-next', 'dataset').addDir(writeFiles(files('cache-capped-next', 5))));
    expect(await artifacts(['download', w.ref, tempDir()], capped)).toMatchObject({ code: 0 });
    expect(cacheTotal()).toBeLessThanOrEqual(12000);
    expect(fs.existsSync(cacheFile(used.digest))).toBe(true);
    const older = (await v.files()).filter((e) => e.path !== 'part-0.txt' && fs.existsSync(cacheFile(e.digest)));
    expect(older.length).toBeLessThan(29);
  });
});

