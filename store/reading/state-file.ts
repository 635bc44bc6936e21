/**
 * A download folder's read-state file (see stat-cache.ts), read and written whole: its header line (read-state.ts)
 * and its body in columns (state-body.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { headerOf, parseState } from './read-state';
import { bodyLayout, decodeBody, encodeBody, type BodyToWrite, type StateBody } from './state-body';

/** The body's layout: see state-body.ts. Format 2 was one text line per file, which took longer to read than the stats. */
const FORMAT = 3;

/** The first bytes of a state file read at once: its header and first body line (a path prefix is at most 4 KiB). */
const HEAD_BYTES = 64 << 10;

/**
 * The body of the state file `file`; undefined when it is missing, unreadable, of another format or damaged. Its
 * exact lines (most of its bytes) are read only when asked for, from the same file: when it was replaced meanwhile
 * (a download beside this one saved), they come back empty, and none of the file's rows is then trusted.
 */
export function readStateFile(file: string): StateBody | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const stamp = fs.fstatSync(fd);
    const head = readRange(fd, Buffer.allocUnsafe(Math.min(stamp.size, HEAD_BYTES)), 0);
    const state = parseState(head, FORMAT);
    const layout = state && bodyLayout(head, head.length - state.body.length);
    if (!layout || layout.end !== stamp.size) return undefined;
    let front = head.subarray(0, layout.exactAt);
    if (layout.exactAt > head.length) {
      // A buffer of its own (the columns are read in place as numbers, from a multiple of 8 bytes).
      front = Buffer.allocUnsafeSlow(layout.exactAt);
      head.copy(front);
      readRange(fd, front.subarray(head.length), head.length);
    }
    return decodeBody(front, layout, () => exactLinesOf(file, stamp, layout.exactAt));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Fills `into` from `position` of `fd`; throws when the file ends first. */
function readRange(fd: number, into: Buffer, position: number): Buffer {
  for (let got = 0; got < into.length;) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) throw new Error('the state file ended early');
    got += n;
  }
  return into;
}

/** The exact lines of the state file as it was when `stamp` was taken; empty when it is not that file any more. */
function exactLinesOf(file: string, stamp: fs.Stats, from: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const now = fs.fstatSync(fd);
    if (now.ino !== stamp.ino || now.dev !== stamp.dev || now.size !== stamp.size || now.mtimeMs !== stamp.mtimeMs) return Buffer.alloc(0);
    return readRange(fd, Buffer.allocUnsafe(stamp.size - from), from);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes the state file `file` of the folder `directory` atomically (a temp file renamed over it), so a reader never
 * sees half of it; false when it could not (the old file, if any, stays; the temp file is removed).
 */
export function writeStateFile(file: string, directory: string, body: BodyToWrite): boolean {
  const tmp = `${file}.${randomUUID()}.tmp`;
  try {
    const header = Buffer.from(headerOf(FORMAT, directory));
    writeAll(tmp, [header, ...encodeBody(header.length, body)]);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}

function writeAll(file: string, pieces: readonly Uint8Array[]): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    let left = pieces.reduce((n, p) => n + p.length, 0);
    let rest = pieces.filter((p) => p.length > 0);
    while (left > 0) {
      let done = fs.writevSync(fd, rest);
      left -= done;
      // A short write: go on from the first byte not written.
      while (rest.length > 0 && done >= rest[0]!.length) done -= rest.shift()!.length;
      if (done > 0) rest = [rest[0]!.subarray(done), ...rest.slice(1)];
    }
  } finally {
    fs.closeSync(fd);
  }
}
