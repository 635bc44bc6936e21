import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { changedWhileRead } from './source-file';

/**
 * The store's native helper (native/, built by `npm run build` into dist/native when Rust is there): the hot loops of
 * a download, and of logging small files, as one call per batch (the lstat of a whole version spread over the cores),
 * with no JavaScript call, buffer or object per file. Each function does what its JavaScript twin does, named beside
 * it; the store uses the twin when the helper is not built, or when `ARTIFACTS_NATIVE=0`. Loaded once per thread
 * (the ingest threads load it too).
 */
export interface NativeHelper {
  /**
   * Per entry path below `root` (one per line, in path order), its quick stamp (store/reading/quick-stamp.ts: size,
   * mtimeMs, ctimeMs, ino and dev as a plain `fs.lstatSync` gives them); all NaN when it is not a regular file, or a
   * folder on its way is not a real folder (each opened without following a link).
   */
  statEntries(root: string, paths: string): Float64Array;
  /**
   * As statEntries (`paths` each followed by a newline, as a state file holds them), compared with the quick stamps
   * `quick` (QUICK_FIELDS numbers per path, compared as `!==` does): the index of the first path whose stamp is not
   * the same, or -1 when none (the threads stop at a change).
   */
  firstChanged(root: string, paths: Buffer, quick: Float64Array): number;
  /** The names in `folder` that start with `prefix` (none when it cannot be listed). */
  namesStartingWith(folder: string, prefix: string): string[];
  /** A batch of small files placed on this thread, each read from its blob under `blobRoot` unless its bytes are given. */
  placeSmall(blobRoot: string, batch: NativeSmallBatch): NativeSmallPlaced;
  /**
   * Batches placed as placeSmall places each (a folder each, held open by the caller), on `threads` threads of the
   * call's own, off this thread. After a failure no batch starts: those not started come back with no stamp.
   */
  placeSmallBatches(blobRoot: string, batches: NativeSmallBatch[], threads: number): Promise<NativeSmallPlaced[]>;
  placeChunk(blobFile: string, hex: string, size: number, fd: number, offset: number): { placed: boolean; failure?: NativeFailure | null };
  /**
   * Chunks of one file placed as placeChunk places each, on `threads` threads of the call's own, off this thread;
   * `placed` is false when one did not match (no chunk starts after that), and the file is then not to be kept.
   */
  placeChunks(chunks: NativeChunk[], fd: number, threads: number): Promise<{ placed: boolean; failure?: NativeFailure | null }>;
  /**
   * A fetched chunk hashed as it is written, a piece at a time, at `offset` of `fd`, then, when it matched, written
   * into the read cache's temp file `cacheTmp` (none when empty) around the page cache and renamed to `cacheEntry`,
   * off this thread. A failed write into the cache names `cacheTmp` (which is removed); one into `fd` names no path.
   */
  keepFetched(bytes: Buffer, hex: string, cacheTmp: string, cacheEntry: string, fd: number, offset: number): Promise<{ matched: boolean; failure?: NativeFailure | null }>;
  /** How many bytes into `buffer` memory aligned for the cache's direct writes starts (see keepFetched). */
  directOffset(buffer: Buffer): number;
  /**
   * One chunk of a large file logged into a local store: hashed, and unless the store holds it, copied by the kernel
   * into `tmp` and renamed to its blob; a failure's errno 0 means the file changed (or ended early) while it was read.
   */
  ingestChunk(blobRoot: string, tmp: string, source: string, offset: number, length: number): { hex: string; wrote: boolean; failure?: NativeFailure | null };
  /** A batch of small files logged into a local store; a failure's errno 0 means the file changed while it was read. */
  ingestSmall(blobRoot: string, tmpDir: string, temp: string, files: string[], hardLink: boolean): {
    results: { hex: string; size: number; wrote: boolean }[];
    failure?: NativeFailure | null;
    failedFile?: string | null;
  };
}

/** Per file of a batch, in order up to the failure if any: its stamp (`size mtimeNs ctimeNs ino dev`), or null when not placed. */
export interface NativeSmallPlaced {
  readonly stamps: (string | null)[];
  readonly failure?: NativeFailure | null;
}

/**
 * Small files of one folder as the helper takes them: packed into a few strings and arrays, since handing over an
 * object per file cost the download's thread more than placing the file cost the helper's.
 */
export interface NativeSmallBatch {
  /** The folder (held open by the caller: `/proc/self/fd/N`, which the helper reaches by descriptor N). */
  readonly folder: string;
  /** The leaf names, each followed by a NUL. */
  readonly leaves: string;
  /** The hex of each file's `blake3:` digest, 64 characters each. */
  readonly hexes: string;
  readonly sizes: Float64Array;
  /** Per file, the temp name to write it under and rename over its leaf from, or '' (nothing may be there), each followed by a NUL; '' when none replaces a file. */
  readonly replaces: string;
  /** Per file, its bytes fetched from a remote store (checked all the same); none when each is read from its blob. */
  readonly bytes: Buffer[];
}

export interface NativeChunk {
  readonly blobFile: string;
  /** The hex of its `blake3:` digest. */
  readonly hex: string;
  readonly size: number;
  readonly offset: number;
}

export interface NativeFailure {
  readonly errno: number;
  readonly syscall: string;
  /** Empty when the call names no path (a write). */
  readonly path: string;
}

/** The digests the helper checks, by their prefix: BLAKE3 (chunks always are; others take the JavaScript road). */
export const NATIVE_DIGEST = 'blake3:';

/** Where the build puts the helper: dist/native, two folders up from this file's place in dist/store/blobs. */
export const NATIVE_FILE = path.join(__dirname, '..', '..', 'native', 'artifacts-native.node');

let loaded: NativeHelper | null | undefined;

/** The helper, or undefined when it is not built (or cannot load here) or is turned off with `ARTIFACTS_NATIVE=0`. */
/** The helper's listing of the names in a folder that start with a prefix (for owned-temps.ts' sweeps), when it is built. */
export function nativeNameLister(): ((folder: string, prefix: string) => string[]) | undefined {
  const native = nativeHelper();
  return native && ((folder, prefix) => native.namesStartingWith(folder, prefix));
}

export function nativeHelper(): NativeHelper | undefined {
  if (process.env['ARTIFACTS_NATIVE'] === '0') return undefined;
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): NativeHelper | null {
  if (!fs.existsSync(NATIVE_FILE)) return null;
  try {
    return (module.require as (id: string) => NativeHelper)(NATIVE_FILE);
  } catch {
    return null; // built for another platform or Node: the JavaScript road does the same work
  }
}

/**
 * The error for a failure a logging call of the helper hands back about the source file `localPath`: errno 0 means
 * the file changed (or ended early) while it was read; any other is nativeError's.
 */
export function ingestFailure(f: NativeFailure, localPath: string): Error {
  return f.errno === 0 ? changedWhileRead(localPath) : nativeError(f);
}

/** The error Node's own call would have thrown for a failure the helper hands back (code, syscall, path). */
export function nativeError(f: NativeFailure): NodeJS.ErrnoException {
  const [code, description] = util.getSystemErrorMap().get(-f.errno) ?? [`E${f.errno}`, 'unknown error'];
  const where = f.path ? ` '${f.path}'` : '';
  const err: NodeJS.ErrnoException = Object.assign(new Error(`${code}: ${description}, ${f.syscall}${where}`), { errno: -f.errno, code, syscall: f.syscall });
  if (f.path) err.path = f.path;
  return err;
}
