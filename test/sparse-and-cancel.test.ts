import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { LocalBlobStore } from 'temporal-artifacts/internal';
import { isolatedEnv, startWorker, tempDir, waitFor, writeUniqueFile } from './helpers';

// Uploads are capped so a cancellation lands mid-file on any machine, and long before the local store's first
// checkpoint (32 MiB): without heartbeats between checkpoints, the cancellation would only arrive there.
const RATE = 2 << 20;
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(RATE) });
Object.assign(process.env, env);
const blobs = new LocalBlobStore(path.join(env.ARTIFACTS_HOME, 'blobs'));
const workers: ChildProcess[] = [];
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
    const stored = fs.statSync(blobs.pathOf(entry!.digest));
    expect(stored.size).toBe(source.size);
    // Each data region costs at most one 64 KiB block of the store's hole granularity.
    expect(stored.blocks * 512).toBeLessThanOrEqual(3 * (64 << 10) + source.blocks * 512);
    expect((await v.verify()).ok).toBe(true);
  } finally {
    await run.finish();
  }
});

test('cancelling a log stops the worker copying the file within a heartbeat, not at its next checkpoint', async () => {
  const file = path.join(tempDir(), 'weights.bin');
  writeUniqueFile(file, 64 << 20);
  workers.push(await startWorker(env));
  const run = await init({ worker: false });
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const logged = run.logArtifact(new Artifact('cancelled-weights', 'model').addFile(file));
    logged.catch(() => undefined); // awaited below
    const tmp = path.join(blobs.root, 'tmp');
    const copying = await waitFor(() => fs.readdirSync(tmp).map((f) => path.join(tmp, f)).find((f) => fs.statSync(f).size >= RATE), 60_000, 'the copy to start');
    await new Client({ connection }).workflow.getHandle(`artifacts/log/cancelled-weights/${run.id}/0`).cancel();
    await expect(logged).rejects.toThrow(/cancel/i);

    // The copy stops: its temp file stays the same size across a few seconds, well short of the first checkpoint.
    let last = -1;
    const stopped = await waitFor(async () => {
      const size = fs.statSync(copying).size;
      const same = size === last;
      last = size;
      await new Promise((r) => setTimeout(r, 2000));
      return same && size === fs.statSync(copying).size ? size : undefined;
    }, 120_000, 'the copy to stop');
    expect(stopped).toBeLessThan(32 << 20);
  } finally {
    await connection.close();
    await run.finish();
  }
});
