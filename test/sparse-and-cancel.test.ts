import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { LocalBlobStore } from 'temporal-artifacts/internal';
import { isolatedEnv, startWorker, tempDir, waitFor, writeUniqueFile } from './helpers';

// Uploads are capped so a cancellation lands mid-file on any machine (a 4 MiB chunk every two seconds): the
// cancellation reaches the ingest through its heartbeats, between chunks.
const RATE = 2 << 20;
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(RATE) });
Object.assign(process.env, env);
const blobs = new LocalBlobStore(path.join(env.ARTIFACTS_HOME, 'blobs'));
const workers: ChildProcess[] = [];

/** 4 MiB blobs in the store: chunks of large files. */
function chunksStored(): number {
  const root = path.join(blobs.root, 'blake3');
  return fs.readdirSync(root).flatMap((shard) => fs.readdirSync(path.join(root, shard)).map((f) => path.join(root, shard, f))).filter((f) => fs.statSync(f).size === 4 << 20).length;
}
afterAll(() => {
  for (const w of workers) w.kill('SIGKILL');
});

test('a sparse file is stored sparse: the blob keeps its holes and verifies', async () => {
  const file = path.join(tempDir(), 'disk.img');
  const fd = fs.openSync(file, 'w');
  for (const at of [0, 100 << 20, 250 << 20]) fs.writeSync(fd, Buffer.from(`data at ${at}`), 0, undefined, at);
  fs.ftruncateSync(fd, 300 << 20);
  fs.closeSync(fd);
  const source = fs.statSync(file);
  expect(source.blocks * 512).toBeLessThan(1 << 20);

  // No rate cap here (a cap would be honoured by reading slowly, and this file is 300 MiB of holes).
  const run = await init({ env: { ...env, ARTIFACTS_MAX_BYTES_PER_SECOND: '' } });
  try {
    const v = await run.logArtifact(new Artifact('sparse-image', 'dataset').addFile(file));
    const [entry] = await v.files();
    expect(entry!.size).toBe(source.size);
    // Stored as chunks: the all-zero ones are one blob, all holes; each data region costs at most one 64 KiB block
    // of the store's hole granularity. The rest is the chunk list, the manifest and the spec (a few KiB each).
    let allocated = 0;
    for await (const d of blobs.list()) allocated += fs.statSync(blobs.pathOf(d)).blocks * 512;
    expect(allocated).toBeLessThanOrEqual(3 * (64 << 10) + source.blocks * 512 + (64 << 10));
    expect((await v.verify()).ok).toBe(true);
  } finally {
    await run.finish();
  }
});

test('cancelling a log stops the worker storing the file\'s chunks within a heartbeat', async () => {
  const file = path.join(tempDir(), 'weights.bin');
  writeUniqueFile(file, 64 << 20);
  workers.push(await startWorker(env));
  const run = await init({ worker: false });
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const logged = run.logArtifact(new Artifact('cancelled-weights', 'model').addFile(file));
    logged.catch(() => undefined); // awaited below
    // The sparse file's all-zero chunk may be stored already: count from what is there now.
    const before = chunksStored();
    await waitFor(() => chunksStored() > before || undefined, 60_000, 'the first chunk to be stored');
    await new Client({ connection }).workflow.getHandle(`artifacts/log/cancelled-weights/${run.id}/0`).cancel();
    await expect(logged).rejects.toThrow(/cancel/i);

    // The ingest stops: no chunk is added across a few seconds, well short of the file's sixteen (2 s per chunk).
    let last = -1;
    const stopped = await waitFor(async () => {
      const count = chunksStored();
      const same = count === last;
      last = count;
      await new Promise((r) => setTimeout(r, 3000));
      return same && count === chunksStored() ? count : undefined;
    }, 120_000, 'the chunks to stop');
    expect(stopped - before).toBeLessThan(12);
  } finally {
    await connection.close();
    await run.finish();
  }
});
