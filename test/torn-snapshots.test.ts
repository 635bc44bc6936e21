import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, LocalFileError, type Run } from 'temporal-artifacts';
import { Store } from 'temporal-artifacts/internal';
import { isolatedEnv, tempDir, writeUniqueFile, blobFile } from './helpers';

const MiB = 1024 * 1024;
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(32 * MiB) });
Object.assign(process.env, env);

/** Overwrites 1 MiB of `file` in place, at a new offset, every 50 ms until stopped: a writer that is not done yet. */
function keepRewriting(file: string, size: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, randomBytes(MiB), 0, MiB, (i++ * 7 * MiB) % (size - MiB));
    fs.closeSync(fd);
  }, 50);
  return () => clearInterval(timer);
}

function blobFiles(home: string): string[] {
  return ['sha256', 'blake3'].flatMap((algorithm) => {
    const root = path.join(home, 'blobs', algorithm);
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root).flatMap((shard) => fs.readdirSync(path.join(root, shard)).map((rest) => `${algorithm}:${shard}${rest}`));
  });
}

describe('a file written to while it is read is refused, never stored as a mix of old and new bytes', () => {
  let run: Run;
  beforeAll(async () => {
    run = await init();
  });
  afterAll(async () => {
    await run.finish();
  });

  test('a log whose file is overwritten in place during a rate-capped upload fails naming the file, and makes no version', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'weights.bin');
    writeUniqueFile(file, 64 * MiB);
    const stop = keepRewriting(file, 64 * MiB);
    const logged = run.logArtifact(new Artifact('torn-upload', 'model').addFile(file));
    await expect(logged).rejects.toThrow(`Cannot add ${JSON.stringify(file)}: it changed while being read`);
    stop();
    const api = new Api({ env });
    expect(await api.versions('torn-upload')).toEqual([]);
    await api.close();
  });

  test('a local chunked ingest refuses a file rewritten in place behind its read, and leaves no file digest, chunk list or temp file', async () => {
    const home = tempDir();
    const store = await Store.fromConfig({ home });
    const file = path.join(tempDir(), 'rewritten.bin');
    const digest = writeUniqueFile(file, 96 * MiB);
    let rewritten = false;
    const ingest = store.blobs.ingestFile(file, {
      maxBytesPerSecond: 128 * MiB,
      onCheckpoint: (cp) => {
        if (rewritten || cp.bytesDone === 0) return;
        rewritten = true;
        // Same size, only bytes the read has not reached yet: the old size check saw nothing.
        const fd = fs.openSync(file, 'r+');
        fs.writeSync(fd, randomBytes(MiB), 0, MiB, 95 * MiB);
        fs.closeSync(fd);
      },
    });
    await expect(ingest).rejects.toBeInstanceOf(LocalFileError);
    await expect(ingest).rejects.toThrow(/it changed while being read/);
    expect(rewritten).toBe(true);
    expect(await store.blobs.has(digest)).toBe(false);
    // Chunks stored before the change was seen stay until gc (another ingest may use them); nothing names them.
    expect(blobFiles(home).filter((d) => fs.statSync(blobFile(path.join(home, 'blobs'), d)).size !== 4 * MiB)).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'blobs', 'tmp'))).toEqual([]);
    await store.close();
  });

  test('a hard-link ingest refuses a file written to while it is hashed, instead of copying the new bytes under the old digest', async () => {
    const home = tempDir();
    const store = await Store.fromConfig({ home });
    const file = path.join(tempDir(), 'linked.bin');
    writeUniqueFile(file, 64 * MiB);
    const stop = keepRewriting(file, 64 * MiB);
    const ingest = store.blobs.ingestFile(file, { hardLinkIntoStore: true, maxBytesPerSecond: 32 * MiB });
    await expect(ingest).rejects.toThrow(/it changed while being read/);
    stop();
    expect(blobFiles(home)).toEqual([]);
    await store.close();
  });
});
