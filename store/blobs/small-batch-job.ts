/**
 * A batch of small files logged into the local store, on an ingest thread: each read once as one consistent snapshot,
 * hashed, and written to a temp file renamed to its blob (or hard-linked, when asked), unless the store holds it.
 * With the native helper (native.ts) the batch is one call doing the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { reusableBlob } from './blob-freshness';
import { blobPath, CHUNK_TEMP } from './blob-layout';
import { hasherFor } from './digest';
import { ingestFailure, nativeHelper, type NativeHelper } from './native';
import { ownedTempName } from '../owned-temps';
import { changedWhileRead, linkIfUnchanged, mayHideChange, readFrom, sameSource, sourceState, type SourceState } from './source-file';
import { errorMessage, type WorkerErrorMessage } from './worker-errors';

export interface SmallBatchJob {
  readonly kind: 'small';
  /** The store's root (blobs sit under `<root>/<algorithm>/`) and temp folder. */
  readonly blobRoot: string;
  readonly tmpDir: string;
  readonly files: readonly string[];
  readonly hardLink: boolean;
}

export interface SmallFileResult {
  readonly digest: string;
  readonly size: number;
  /** True when this call stored the blob (false: it was there already). */
  readonly wrote: boolean;
}

export interface SmallBatchDone {
  readonly type: 'batch-done';
  readonly results: readonly SmallFileResult[];
}

export function runSmallBatch(job: SmallBatchJob): SmallBatchDone | WorkerErrorMessage {
  const native = nativeHelper();
  if (native) return nativeSmallBatch(native, job);
  const results: SmallFileResult[] = [];
  for (const localPath of job.files) {
    try {
      results.push(ingestSmall(job, localPath));
    } catch (err) {
      return errorMessage(err, localPath);
    }
  }
  return { type: 'batch-done', results };
}

/** The same batch in one call to the native helper (its twin of ingestSmall below). */
function nativeSmallBatch(native: NativeHelper, job: SmallBatchJob): SmallBatchDone | WorkerErrorMessage {
  const done = native.ingestSmall(job.blobRoot, job.tmpDir, ownedTempName(CHUNK_TEMP), [...job.files], job.hardLink);
  if (done.failure) {
    const file = done.failedFile!;
    return errorMessage(ingestFailure(done.failure, file), file);
  }
  return { type: 'batch-done', results: done.results.map((r) => ({ digest: `blake3:${r.hex}`, size: r.size, wrote: r.wrote })) };
}

function ingestSmall(job: SmallBatchJob, localPath: string): SmallFileResult {
  const fd = fs.openSync(localPath, 'r');
  let bytes: Buffer;
  let before: SourceState;
  try {
    before = sourceState(fd);
    bytes = readFrom(fd, Number(before.size), scratch.length < before.size ? (scratch = Buffer.allocUnsafe(Number(before.size))) : scratch);
    if (!sameSource(before, sourceState(fd)) || BigInt(bytes.length) !== before.size) throw changedWhileRead(localPath);
    if (mayHideChange(before) && !readFrom(fd, bytes.length, Buffer.allocUnsafe(bytes.length)).equals(bytes)) throw changedWhileRead(localPath);
  } finally {
    fs.closeSync(fd);
  }
  const digest = hasherFor().update(bytes).digest();
  const final = blobPath(job.blobRoot, digest);
  if (reusableBlob(final, bytes.length)) return { digest, size: bytes.length, wrote: false };
  const tmp = path.join(job.tmpDir, ownedTempName(CHUNK_TEMP));
  try {
    if (!(job.hardLink && linkIfUnchanged(localPath, tmp, before))) fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, final);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { digest, size: bytes.length, wrote: true };
}

/** One buffer per thread for small files, reused: each file is hashed and written before the next is read. */
let scratch = Buffer.allocUnsafe(1 << 20);
