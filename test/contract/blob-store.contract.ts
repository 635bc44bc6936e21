import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IntegrityError } from 'temporal-artifacts';
import { Store, type IngestCheckpoint } from 'temporal-artifacts/internal';
import { b3, contentDigest, tempDir, writeUniqueFile } from '../helpers';

/** A blob store backend under test: `create` returns the URL of a new, empty store. */
export interface BlobStoreBackend {
  readonly label: string;
  create(): Promise<string>;
}

const sha256 = b3;
const MiB = 1024 * 1024;

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

function uniqueFile(dir: string, name: string, size: number): { file: string; digest: string } {
  const file = path.join(dir, name);
  return { file, digest: writeUniqueFile(file, size) };
}

/**
 * What every blob store must do, wherever it keeps the bytes. The same tests run against the local folder and
 * the S3 server (blob-store-local.test.ts, blob-store-s3.test.ts).
 */
export function blobStoreContract(backend: BlobStoreBackend): void {
  describe(`blob store contract on ${backend.label}`, () => {
    let store: Store;
    let dir: string;
    beforeAll(async () => {
      dir = tempDir('artifacts-blobs-');
      store = await Store.fromConfig({ home: dir, blobUrl: await backend.create() });
    });
    afterAll(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('bytes are stored under their BLAKE3 digest, once, and read back whole', async () => {
      const bytes = randomBytes(3000);
      const digest = sha256(bytes);
      expect(await store.blobs.has(digest)).toBe(false);
      expect(await store.blobs.putBytes(bytes)).toBe(digest);
      expect(await store.blobs.putBytes(bytes)).toBe(digest);
      expect(await store.blobs.has(digest)).toBe(true);
      expect(Buffer.compare(await store.blobs.getBytes(digest), bytes)).toBe(0);
      expect(await store.blobs.hashStored(digest)).toBe(digest);
    });

    test('ingesting a small and a multi-chunk file stores each under its digest, once however often it is ingested', async () => {
      for (const size of [5000, 40 * MiB + 123]) {
        const { file, digest } = uniqueFile(dir, `f-${size}.bin`, size);
        const first = await store.blobs.ingestFile(file);
        expect(first).toMatchObject({ digest, size, bytesWritten: size, resumedBytes: 0 });
        const again = await store.blobs.ingestFile(file);
        expect(again).toMatchObject({ digest, size, resumedBytes: 0 });
        // A file of several chunks is held as its chunk list (blake3: of the same hex) and its chunks.
        const blob = digest.replace(/^blake3c:/, 'blake3:');
        const held = [];
        for await (const d of store.blobs.list()) if (d === blob) held.push(d);
        expect(held).toEqual([blob]);
        expect(await store.blobs.hashStored(digest)).toBe(digest);
        expect(contentDigest(await readAll(store.blobs.read(digest)))).toBe(digest);
      }
    });

    test('an ingest stopped mid-file resumes from its checkpoint, writing only the rest', async () => {
      const size = 100 * MiB;
      const { file, digest } = uniqueFile(dir, 'resume.bin', size);
      const stop = new AbortController();
      let checkpoint: IngestCheckpoint | undefined;
      const stopped = store.blobs.ingestFile(file, {
        signal: stop.signal,
        maxBytesPerSecond: 200 * MiB,
        onCheckpoint: (cp) => {
          checkpoint = cp;
          if (cp.bytesDone > 0) stop.abort(new Error('stopped by the test'));
        },
      });
      await expect(stopped).rejects.toThrow();
      expect(checkpoint?.bytesDone).toBeGreaterThan(0);
      const saved = JSON.parse(JSON.stringify(checkpoint)) as IngestCheckpoint;
      const resumed = await store.blobs.ingestFile(file, { resume: saved });
      expect(resumed.digest).toBe(digest);
      expect(resumed.resumedBytes).toBeGreaterThanOrEqual(saved.bytesDone);
      expect(resumed.bytesWritten + resumed.resumedBytes).toBe(size);
      expect(await store.blobs.hashStored(digest)).toBe(digest);
    });

    test('a checkpoint for a file that has since changed is not trusted: the new bytes are stored whole', async () => {
      const size = 100 * MiB;
      const { file } = uniqueFile(dir, 'changing.bin', size);
      const stop = new AbortController();
      let checkpoint: IngestCheckpoint | undefined;
      await expect(store.blobs.ingestFile(file, {
        signal: stop.signal,
        maxBytesPerSecond: 200 * MiB,
        onCheckpoint: (cp) => {
          checkpoint = cp;
          if (cp.bytesDone > 0) stop.abort(new Error('stopped by the test'));
        },
      })).rejects.toThrow();
      const changed = uniqueFile(dir, 'changing.bin', size);
      const result = await store.blobs.ingestFile(file, { resume: checkpoint });
      expect(result).toMatchObject({ digest: changed.digest, resumedBytes: 0, bytesWritten: size });
    });

    test('a reader that stops after the first piece ends cleanly, however often: the blob is closed once, and reads whole after', async () => {
      const whole = randomBytes(3 * MiB);
      const wholeDigest = await store.blobs.putBytes(whole);
      const { file, digest: chunked } = uniqueFile(dir, 'stopped-early.bin', 20 * MiB);
      await store.blobs.ingestFile(file);
      for (let i = 0; i < 20; i++) {
        for (const digest of [wholeDigest, chunked]) {
          for await (const piece of store.blobs.read(digest)) {
            expect(piece.length).toBeGreaterThan(0);
            break;
          }
        }
      }
      expect(Buffer.compare(await readAll(store.blobs.read(wholeDigest)), whole)).toBe(0);
      expect(Buffer.compare(await readAll(store.blobs.read(chunked)), fs.readFileSync(file))).toBe(0);
    });

    test('list yields every stored digest and delete removes one', async () => {
      const digests = await Promise.all([1, 2, 3].map((i) => store.blobs.putBytes(Buffer.from(`listed-${i}-${Math.random()}`))));
      const listed = new Set<string>();
      for await (const d of store.blobs.list()) listed.add(d);
      for (const d of digests) expect(listed.has(d)).toBe(true);
      await store.blobs.delete(digests[0]!);
      expect(await store.blobs.has(digests[0]!)).toBe(false);
      expect(await store.blobs.has(digests[1]!)).toBe(true);
    });

    test('reading a digest that is not stored fails with an IntegrityError naming it', async () => {
      const missing = sha256(Buffer.from('never stored'));
      await expect(store.blobs.getBytes(missing)).rejects.toBeInstanceOf(IntegrityError);
      await expect(readAll(store.blobs.read(missing))).rejects.toThrow(new RegExp(`Blob ${missing} is missing`));
    });
  });
}
