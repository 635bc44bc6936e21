import fs from 'node:fs';
import { LocalFileError } from '../../errors';
import { errnoOf, permanentFileReason } from '../../errors/file-errors';

/** Stats a local file about to be stored; a missing path or anything but a regular file is a LocalFileError naming it. */
export function statSourceFile(localPath: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(localPath);
  } catch (err) {
    const code = errnoOf(err)?.code;
    throw new LocalFileError(localPath, permanentFileReason(code) ?? `it cannot be read (${code ?? String(err)})`);
  }
  if (!stat.isFile()) throw new LocalFileError(localPath, 'it is not a regular file');
  return stat;
}

/** What an open source file looked like at one moment: identity, size and change times in nanoseconds. */
export interface SourceState {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly nlink: bigint;
  /** When it was looked at (wall clock, ns). */
  readonly seenNs: bigint;
}

export function sourceState(fd: number): SourceState {
  const st = fs.fstatSync(fd, { bigint: true });
  return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, nlink: st.nlink, seenNs: BigInt(Date.now()) * 1_000_000n };
}

/**
 * Whether nothing wrote to the file between two looks: a write moves mtime and ctime (and may move the size); ctime
 * also catches a writer that put the old mtime back. A new hard link (this store linking the same file for another
 * entry) moves only ctime, so ctime counts only while the link count stayed the same.
 */
export function sameSource(a: SourceState, b: SourceState): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && (a.ctimeNs === b.ctimeNs || a.nlink !== b.nlink);
}

/**
 * Whether a write during the read could leave the times unchanged: file times come from a coarse clock (a few
 * milliseconds; whole seconds on some file systems), so a write in the same tick as the first look keeps them
 * equal. Reads of such a file are checked by reading it again.
 */
export function mayHideChange(before: SourceState): boolean {
  const wholeSeconds = before.ctimeNs % 1_000_000_000n === 0n && before.mtimeNs % 1_000_000_000n === 0n;
  return before.ctimeNs + (wholeSeconds ? 2_000_000_000n : 100_000_000n) >= before.seenNs;
}

/** Error code of a source file written to while it was read (it may come from a worker thread, as plain data). */
export const SOURCE_CHANGED = 'ESOURCECHANGED';

export function changedWhileRead(localPath: string): Error {
  return Object.assign(new Error(`${localPath} changed while being read`), { code: SOURCE_CHANGED, localPath });
}

/**
 * Reads a small file whole, as one consistent snapshot: the file must look the same after the read as before it
 * (and read the same twice, when a write could hide from its times), else it changed while being read.
 */
export function readSourceSnapshot(localPath: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(localPath, 'r');
  } catch (err) {
    throw localFailure(Object.assign(err as Error, { localPath }));
  }
  try {
    const before = sourceState(fd);
    const bytes = readFrom(fd, Number(before.size), Buffer.allocUnsafe(Number(before.size)));
    if (!sameSource(before, sourceState(fd)) || BigInt(bytes.length) !== before.size) throw localFailure(changedWhileRead(localPath));
    if (mayHideChange(before) && !readFrom(fd, bytes.length, Buffer.allocUnsafe(bytes.length)).equals(bytes)) throw localFailure(changedWhileRead(localPath));
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a file from its start into `buffer` (grown if the file grew), expecting `size` bytes: one read when it
 * still has that size. Returns the bytes read.
 */
export function readFrom(fd: number, size: number, buffer: Buffer): Buffer {
  let n = 0;
  for (;;) {
    if (n === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(Math.max(buffer.length, 1 << 16))]);
    const got = fs.readSync(fd, buffer, n, buffer.length - n, n);
    n += got;
    if (got === 0 || n === size) return buffer.subarray(0, n);
  }
}

/** A file error (from this thread or a worker's, as data) as the user-facing error naming the file. */
export function localFailure(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException & { localPath?: string };
  if (e.localPath === undefined) return err;
  if (e.code === SOURCE_CHANGED) return new LocalFileError(e.localPath, 'it changed while being read (written to during the upload); log it once nothing writes to it any more');
  const reason = permanentFileReason(e.code);
  if (!reason) return err;
  return new LocalFileError(e.localPath, e.code === 'ENOENT' ? 'it disappeared while being read' : reason);
}

/** Hard-links `source` at `target` when it is still the file `before` described; false when it cannot (other device, changed). */
export function linkIfUnchanged(source: string, target: string, before: SourceState): boolean {
  try {
    fs.linkSync(source, target);
  } catch {
    return false;
  }
  // Linking moves the ctime; the content times and identity must not have moved.
  const after = fs.statSync(target, { bigint: true });
  if (after.ino === before.ino && after.size === before.size && after.mtimeNs === before.mtimeNs) return true;
  fs.rmSync(target, { force: true });
  return false;
}
