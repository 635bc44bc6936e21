import type { ChildProcess } from 'node:child_process';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api, Artifact, init, type StageProgress } from 'temporal-artifacts';
import { freshPostgresDb, freshS3Url, removeTestPrefixes, s3Env, TEST_BUCKET } from './contract/services';
import { isolatedEnv, startWorker, tempDir, writeUniqueFile } from './helpers';

const SIZE = 1024 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
let db: Awaited<ReturnType<typeof freshPostgresDb>>;
let storeUrl: string;
let env: ReturnType<typeof isolatedEnv>;
const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true,
  credentials: { accessKeyId: s3Env.AWS_ACCESS_KEY_ID, secretAccessKey: s3Env.AWS_SECRET_ACCESS_KEY } });
beforeAll(async () => {
  db = await freshPostgresDb();
  storeUrl = await freshS3Url();
  // The cap makes the kill land mid-upload on any machine: ~16 s for the whole file. The heartbeat timeout is long
  // enough that a busy machine never makes a live worker look dead (which would add a retry the test does not expect).
  env = isolatedEnv({
    ...s3Env, ARTIFACTS_STORE: storeUrl, ARTIFACTS_REGISTRY: db.url,
    ARTIFACTS_MAX_BYTES_PER_SECOND: String(64 * 1024 * 1024), ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '8000',
  });
  Object.assign(process.env, env);
});
const workers: ChildProcess[] = [];
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  s3.destroy();
  await db.drop();
  await removeTestPrefixes();
});

/** The chunk objects (4 MiB each) the bucket holds, once two listings a second apart agree. */
async function settledChunks(): Promise<number> {
  const prefix = `${new URL(storeUrl).pathname.slice(1)}/blake3/`;
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    let count = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }));
      count += (page.Contents ?? []).filter((o) => o.Size === CHUNK).length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (count === last) return count;
    last = count;
  }
}

test('kill -9 of a worker mid upload of 1 GiB to S3: the retry sends only the chunks the bucket lacks, and the version verifies', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'model.bin');
  writeUniqueFile(file, SIZE);

  const first = await startWorker(env);
  workers.push(first);
  const run = await init({ worker: false });
  let killedAt: StageProgress | undefined;
  let chunksAtKill = 0;
  let restarted: Promise<Awaited<ReturnType<typeof startWorker>>> | undefined;
  const logged = run.logArtifact(new Artifact('s3-large-model', 'model').addFile(file), {
    onProgress: (p) => {
      if (killedAt || !p.checkpoints?.[0] || p.bytesDone < SIZE * 0.3) return;
      killedAt = p;
      first.kill('SIGKILL');
      restarted = (async () => {
        // What the bucket holds once the dead worker's requests have settled is what a retry may reuse: a chunk
        // whose body had been sent can still land after the kill, later on a loaded machine.
        chunksAtKill = await settledChunks();
        const second = await startWorker(env);
        workers.push(second);
        return second;
      })();
    },
  });
  const v = await logged;
  const second = await restarted!;
  second.kill('SIGTERM');
  await run.finish();

  expect(first.signalCode).toBe('SIGKILL');
  const totalChunks = SIZE / CHUNK;
  // The bucket may hold chunks finished after the last heartbeat reached Temporal; the retry reuses those too.
  expect(chunksAtKill * CHUNK).toBeGreaterThanOrEqual(killedAt!.checkpoints![0]!.bytesDone);
  expect(chunksAtKill).toBeGreaterThan(totalChunks * 0.2);
  expect(chunksAtKill).toBeLessThan(totalChunks);
  expect(v.stage.partsSent).toBe(totalChunks - chunksAtKill);
  expect(v.stage.resumedBytes).toBe(chunksAtKill * CHUNK);
  expect(v.stage.bytesWritten).toBe(SIZE - chunksAtKill * CHUNK);
  expect(v.version).toBe('v0');

  const api = new Api({ env });
  expect((await api.versions('s3-large-model')).map((x) => x.version)).toEqual(['v0']);
  expect(await (await api.artifact('s3-large-model:v0')).verify()).toMatchObject({ ok: true, checked: 1 });
  await api.close();
  const prefix = new URL(storeUrl).pathname.slice(1);
  const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: TEST_BUCKET, Prefix: prefix }));
  expect(open.Uploads ?? []).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
}, 300_000);
