import path from 'node:path';
import { expect, test } from 'vitest';
import { HashCopyPool, LocalBlobStore } from 'temporal-artifacts/internal';
import { b3, tempDir, writeFiles } from './helpers';

test('a job given to an ingest thread that is still booting gets its own result, and prestart resolves once every thread is up', async () => {
  const blobs = new LocalBlobStore(path.join(tempDir('artifacts-ingest-threads-'), 'blobs'));
  const dir = writeFiles({ 'a.txt': 'alpha', 'b.txt': 'beta' });
  const job = (name: string) => ({ kind: 'small' as const, blobRoot: blobs.root, tmpDir: path.join(blobs.root, 'tmp'), files: [path.join(dir, name)], hardLink: false });
  const pool = new HashCopyPool(2);
  const booting = pool.prestart();
  // Both threads are still loading their code: each posts its ready message before it takes the job.
  const early = await Promise.all([pool.run(job('a.txt'), undefined, undefined), pool.run(job('b.txt'), undefined, undefined)]);
  expect(early).toEqual([
    { type: 'batch-done', results: [{ digest: b3('alpha'), size: 5, wrote: true }] },
    { type: 'batch-done', results: [{ digest: b3('beta'), size: 4, wrote: true }] },
  ]);
  await booting;
  expect(await pool.run(job('a.txt'), undefined, undefined)).toEqual({ type: 'batch-done', results: [{ digest: b3('alpha'), size: 5, wrote: false }] });
});
