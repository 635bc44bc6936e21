import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { ManifestWriter, readManifest, configFromEnv, Store } from 'temporal-artifacts/internal';
import { isolatedEnv, b3 } from './helpers';

const env = isolatedEnv();

test('the version digest is SHA-256 over path-sorted "path\\tdigest\\tsize\\n" lines, however the manifest is chunked', async () => {
  const store = await Store.fromConfig(configFromEnv(env));
  const entries = Array.from({ length: 5000 }, (_, i) => ({ path: `d/${String(i).padStart(5, '0')}.bin`, digest: createHash('sha256').update(String(i)).digest('hex'), size: i }));
  const writer = new ManifestWriter(store.blobs);
  for (const e of entries) await writer.add(e);
  const ref = await writer.finish();
  const expected = b3(entries.map((e) => `${e.path}\t${e.digest}\t${e.size}\n`).join(''));
  expect(ref.digest).toBe(expected);
  expect(writer.chunksWritten).toBeGreaterThan(10);
  const back = [];
  for await (const e of readManifest(store.blobs, ref.root)) back.push(e);
  expect(back).toEqual(entries);
  await store.close();
});

test('a retried commit with the same idempotency key returns the first version and makes no second one', async () => {
  const store = await Store.fromConfig(configFromEnv(env));
  const manifest = await new ManifestWriter(store.blobs).finish();
  const commit = (key: string, digest: string) => store.registry.commit({ name: 'idem', type: 'dataset', manifest: { ...manifest, digest }, idempotencyKey: key });
  const first = await commit('wf-1', 'a'.repeat(64));
  const retried = await commit('wf-1', 'a'.repeat(64));
  expect(first).toMatchObject({ created: true, version: { version: 'v0' } });
  expect(retried).toMatchObject({ created: false, version: { version: 'v0' } });
  const next = await commit('wf-2', 'b'.repeat(64));
  expect(next.version.version).toBe('v1');
  expect((await store.registry.versions('idem')).map((v) => v.version)).toEqual(['v0', 'v1']);
  await store.close();
});

test('concurrent commits through two registry connections to one database are gap-free', async () => {
  const [s1, s2] = [await Store.fromConfig(configFromEnv(env)), await Store.fromConfig(configFromEnv(env))];
  const manifest = await new ManifestWriter(s1.blobs).finish();
  const digests = Array.from({ length: 40 }, (_, i) => createHash('sha256').update(`c${i}`).digest('hex'));
  const results = await Promise.all(digests.map((digest, i) => (i % 2 ? s1 : s2).registry.commit({ name: 'gapless', type: 'dataset', manifest: { ...manifest, digest }, idempotencyKey: `k${i}` })));
  expect(results.map((r) => r.version.index).sort((a, b) => a - b)).toEqual(digests.map((_, i) => i));
  await s1.close();
  await s2.close();
});

test('a damaged manifest chunk is reported as damaged instead of hanging the reader', async () => {
  const store = await Store.fromConfig(configFromEnv(env));
  const writer = new ManifestWriter(store.blobs);
  await writer.add({ path: 'a.txt', digest: 'a'.repeat(64), size: 1 });
  const ref = await writer.finish();
  const bytes = await store.blobs.getBytes(ref.root);
  const damaged = await store.blobs.putBytes(Buffer.from(bytes.toString('latin1').replace(/\n$/, '').replace(/\t/g, ' '), 'latin1'));
  const read = async (): Promise<void> => {
    for await (const entry of readManifest(store.blobs, damaged)) void entry;
  };
  await expect(read()).rejects.toThrow('A manifest chunk is damaged');
  await expect(writer.add({ path: 'b\tc', digest: 'b'.repeat(64), size: 1 })).rejects.toThrow('holds a tab, newline or NUL');
  await store.close();
});
