/**
 * One stored chunk placed into a file being downloaded, on an ingest thread: the chunk's blob is read once into a
 * buffer, hashed (BLAKE3) against the digest its chunk list gives, and only when it matches written from that same
 * buffer at its offset in the file (an open descriptor of the downloading thread: threads share them). The chunks of
 * one file go to every thread at once, so hashing and writing a large file use every core.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { CHUNK_BYTES } from './digest';
import { errorMessage } from './worker-errors';

export interface PlaceChunkJob {
  readonly kind: 'place-chunk';
  /** The chunk's blob file in the local store. */
  readonly blobFile: string;
  readonly digest: string;
  readonly size: number;
  /** Where it goes: a descriptor open for writing, and the chunk's offset in the file. */
  readonly fd: number;
  readonly offset: number;
}

export interface PlaceChunkDone {
  readonly type: 'place-chunk-done';
  /** False when the blob is missing or does not hash to its digest: nothing was written. */
  readonly placed: boolean;
}

/** One buffer per thread: each chunk is hashed and written before the next is read. */
let scratch: Buffer | undefined;

export function placeChunk(job: PlaceChunkJob): PlaceChunkDone {
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES + 1));
  let fd: number;
  try {
    fd = fs.openSync(job.blobFile, 'r');
  } catch {
    return { type: 'place-chunk-done', placed: false };
  }
  let n = 0;
  try {
    // One byte more than expected: a blob that is longer does not match.
    for (let got = -1; got !== 0 && n < job.size;) n += got = fs.readSync(fd, buffer, n, job.size + 1 - n, n);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = buffer.subarray(0, n);
  if (n !== job.size || `blake3:${new Blake3Hasher().update(bytes).digest('hex')}` !== job.digest) return { type: 'place-chunk-done', placed: false };
  for (let done = 0; done < n;) done += fs.writeSync(job.fd, bytes, done, n - done, job.offset + done);
  return { type: 'place-chunk-done', placed: true };
}

export function postPlaceChunk(job: PlaceChunkJob): void {
  try {
    parentPort!.postMessage(placeChunk(job));
  } catch (err) {
    parentPort!.postMessage(errorMessage(err, job.blobFile));
  }
}
