/**
 * Downloads' work on the ingest threads, so hashing and writing use every core; each blob is read once into a
 * buffer, hashed against its digest, and written from that same buffer. With the native helper (native.ts) a job of
 * `blake3:` blobs is one call doing the same.
 * - `place-chunk`: one stored chunk of a large file, written at its offset in the file (an open descriptor of the
 *   downloading thread: threads share them). The chunks of one file go to every thread at once. Each piece is
 *   written as it is hashed, before the chunk is known to match, so a chunk that does not match may leave some of
 *   its bytes there: the file is a temp file, dropped unless every chunk matched (chunked-placing.ts).
 * - `place-small`: a batch of small files of one folder (held open by the downloading thread), each checked whole
 *   before a byte of it is written, created under its name when nothing is there, its stamp handed back for the stat
 *   cache. No temp name and rename: for
 *   thousands of small files those were a third of the work. The trade-off: a crash in the middle can leave a short
 *   file where there was none (never where there was one); no stat cache row vouches for it, so the next download
 *   finds it wrong and writes it again. A file marked `replace` (an older version's, as a download left it) is
 *   written under a temp name and renamed over its name, so no reader ever sees it short.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { Blake3Hasher, blake3 } from '@napi-rs/blake-hash';
import { CHUNK_BYTES, hasherFor } from './digest';
import { blobPath } from './blob-layout';
import { NATIVE_DIGEST as BLAKE3, nativeError, nativeHelper, type NativeSmallBatch } from './native';
import { errorMessage } from './worker-errors';
import { WRITE_PIECE, writeAllSync } from './write-all';

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
  /** False when the blob is missing or does not hash to its digest: the file is not to be kept (see above). */
  readonly placed: boolean;
}

/** One buffer per thread: each blob is hashed and written before the next is read. */
let scratch: Buffer | undefined;

export function placeChunk(job: PlaceChunkJob): PlaceChunkDone {
  const native = nativeHelper();
  if (native && job.digest.startsWith(BLAKE3)) {
    const r = native.placeChunk(job.blobFile, job.digest.slice(BLAKE3.length), job.size, job.fd, job.offset);
    if (r.failure) throw nativeError(r.failure);
    return { type: 'place-chunk-done', placed: r.placed };
  }
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES + 1));
  let fd: number;
  try {
    fd = fs.openSync(job.blobFile, 'r');
  } catch {
    return { type: 'place-chunk-done', placed: false };
  }
  const hasher = new Blake3Hasher();
  try {
    // As the native call does: each piece hashed and written while it is in the CPU's cache, then one byte past the
    // end, so a longer blob does not match.
    for (let n = 0; n < job.size;) {
      const got = fs.readSync(fd, buffer, 0, Math.min(WRITE_PIECE, job.size - n), n);
      if (got === 0) return { type: 'place-chunk-done', placed: false };
      hasher.update(buffer.subarray(0, got));
      writeAllSync(job.fd, buffer, 0, got, job.offset + n);
      n += got;
    }
    if (fs.readSync(fd, buffer, 0, 1, job.size) > 0) return { type: 'place-chunk-done', placed: false };
  } finally {
    fs.closeSync(fd);
  }
  return { type: 'place-chunk-done', placed: `blake3:${hasher.digest('hex')}` === job.digest };
}

export interface PlaceSmallJob {
  readonly kind: 'place-small';
  /** The folder, by a name that reaches it without following links (a `/proc/self/fd/N` of a held descriptor). */
  readonly folder: string;
  /** The local store's root, where each file's blob is (`blobPath(blobRoot, digest)`); '' when every file's bytes are given. */
  readonly blobRoot: string;
  readonly files: readonly PlaceSmallFile[];
}

export interface PlaceSmallFile {
  readonly leaf: string;
  readonly digest: string;
  readonly size: number;
  /** A file is at `leaf` and is to be replaced, through this temp name (a leaf beside it); otherwise nothing may be there. */
  readonly replace?: string;
  /** Its bytes, fetched from a remote store (the native helper only), in place of its blob. */
  readonly bytes?: Buffer;
}

/** A placed file's stamp (see FileStamp in store/reading) as one string, `size mtimeNs ctimeNs ino dev`: cheap to pass between threads. */
export type PlacedStamp = string;

export interface PlaceSmallDone {
  readonly type: 'place-small-done';
  /** Per file, in order: its stamp, or null when it was not placed (something is there, or a folder is where a file to replace was, or the blob is missing or does not match). */
  readonly stamps: readonly (PlacedStamp | null)[];
}

export type PlacingJob = PlaceChunkJob | PlaceSmallJob;
export type PlacingDone = PlaceChunkDone | PlaceSmallDone;

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

export function placeSmall(job: PlaceSmallJob): PlaceSmallDone {
  const native = nativeHelper();
  if (native && job.files.every((f) => f.digest.startsWith(BLAKE3))) {
    const r = native.placeSmall(job.blobRoot, packSmallBatch(job.folder, job.files));
    if (r.failure) throw nativeError(r.failure);
    return { type: 'place-small-done', stamps: r.stamps };
  }
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES + 1));
  return { type: 'place-small-done', stamps: job.files.map((f) => placeOne(job.blobRoot, job.folder, f, buffer)) };
}

/** Small files of one folder (`blake3:` digests, by their hex) packed as the native helper takes them. */
export function packSmallBatch(folder: string, files: readonly PlaceSmallFile[]): NativeSmallBatch {
  let leaves = '';
  let hexes = '';
  let replaces = '';
  const sizes = new Float64Array(files.length);
  const bytes: Buffer[] = [];
  files.forEach((f, i) => {
    leaves += `${f.leaf}\0`;
    hexes += f.digest.slice(BLAKE3.length);
    replaces += `${f.replace ?? ''}\0`;
    sizes[i] = f.size;
    if (f.bytes) bytes.push(f.bytes);
  });
  return { folder, leaves, hexes, sizes, replaces: files.some((f) => f.replace !== undefined) ? replaces : '', bytes };
}

function placeOne(blobRoot: string, folder: string, file: PlaceSmallFile, buffer: Buffer): PlacedStamp | null {
  // No store to read from (bytes are handed over to the native helper only): not placed here.
  if (!blobRoot) return null;
  let n = 0;
  let fd: number;
  try {
    fd = fs.openSync(blobPath(blobRoot, file.digest), 'r');
  } catch {
    return null;
  }
  try {
    for (let got = -1; got !== 0 && (n < file.size || got === -1);) n += got = fs.readSync(fd, buffer, n, file.size + 1 - n, n);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = buffer.subarray(0, n);
  if (n !== file.size || !matches(bytes, file.digest)) return null;
  const at = `${folder}/${file.leaf}`;
  const written = file.replace !== undefined ? `${folder}/${file.replace}` : at;
  let out: number;
  try {
    out = fs.openSync(written, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  try {
    writeAllSync(out, bytes, 0, n, null);
    // rename replaces a symlink at the leaf itself, never what it points to; a folder there is left to the usual road.
    if (file.replace !== undefined && !renamedOver(written, at)) return null;
    // Stamped after the rename, which changes the file's ctime.
    const st = fs.fstatSync(out, { bigint: true });
    return `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.dev}`;
  } catch (err) {
    fs.rmSync(written, { force: true });
    throw err;
  } finally {
    fs.closeSync(out);
  }
}

/** Renames `from` over `to`; false (and `from` removed) when a folder is at `to`. */
function renamedOver(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    fs.rmSync(from, { force: true });
    return false;
  }
}

/** Whether bytes hash to a digest: BLAKE3 in one native call (most blobs), any other algorithm by its hasher. */
function matches(bytes: Buffer, digest: string): boolean {
  if (digest.startsWith('blake3:')) return blake3(bytes).toString('hex') === digest.slice(7);
  return hasherFor(digest).update(bytes).digest() === digest;
}

export function postPlacing(job: PlacingJob): void {
  try {
    parentPort!.postMessage(job.kind === 'place-chunk' ? placeChunk(job) : placeSmall(job));
  } catch (err) {
    parentPort!.postMessage(errorMessage(err, job.kind === 'place-chunk' ? job.blobFile : job.folder));
  }
}
