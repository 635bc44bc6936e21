/**
 * A download folder's read-state file (see stat-cache.ts), read and written whole: its header line (read-state.ts)
 * and its body in columns (state-body.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { headerOf, parseState } from './read-state';
import { decodeBody, encodeBody, type BodyToWrite, type StateBody } from './state-body';

/** The body's layout: see state-body.ts. Format 2 was one text line per file, which took longer to read than the stats. */
const FORMAT = 3;

/** The body of the state file `file`; undefined when it is missing, unreadable, of another format or damaged. */
export function readStateFile(file: string): StateBody | undefined {
  try {
    const bytes = fs.readFileSync(file);
    const state = parseState(bytes, FORMAT);
    return state && decodeBody(bytes, bytes.length - state.body.length);
  } catch {
    return undefined;
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
