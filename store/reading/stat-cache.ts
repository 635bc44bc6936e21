import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { headerOf, parseState, pruneReadState, stateFileOf } from './read-state';

/** What a file's metadata says about it: enough to tell, without reading it, that it was not changed since. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeNs: string;
  /** The kernel sets ctime on every change (even `touch -d`, or restoring mtime), and no user call can set it back. */
  readonly ctimeNs: string;
  readonly ino: string;
  readonly dev: string;
}

export function stampOf(st: fs.BigIntStats): FileStamp {
  return { size: Number(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev) };
}

type Row = [size: number, mtimeNs: string, ctimeNs: string, ino: string, dev: string, digest: string];

/**
 * Per download folder, the digest of each file as it was when a download wrote or hashed it, keyed by its stamp
 * (size, mtime, ctime, inode, device): a file whose stamp is unchanged is known to hold those bytes without being
 * read again. It lives in the data folder (`<home>/read-state/<sha256 of the folder's path>.state`), not in the
 * download folder: the folder then holds exactly the version's files, and someone who can write that folder cannot
 * forge an entry. It is only a hint: an entry whose stamp does not match is ignored and the file hashed, a lost or
 * damaged cache file costs one re-hash, and concurrent downloads into one folder at worst overwrite each other's.
 */
export class StatCache {
  private dirty = false;

  private constructor(private readonly home: string, private readonly directory: string, private readonly file: string, private readonly rows: Map<string, Row>) {}

  static open(home: string, directory: string): StatCache {
    const file = stateFileOf(home, directory);
    return new StatCache(home, directory, file, new Map(readRows(file)));
  }

  /** The digest recorded for `entryPath`, if its stamp still matches. */
  digestOf(entryPath: string, stamp: FileStamp): string | undefined {
    const row = this.rows.get(entryPath);
    if (!row) return undefined;
    const [size, mtimeNs, ctimeNs, ino, dev, digest] = row;
    const same = size === stamp.size && mtimeNs === stamp.mtimeNs && ctimeNs === stamp.ctimeNs && ino === stamp.ino && dev === stamp.dev;
    return same ? digest : undefined;
  }

  record(entryPath: string, stamp: FileStamp, digest: string): void {
    this.rows.set(entryPath, [stamp.size, stamp.mtimeNs, stamp.ctimeNs, stamp.ino, stamp.dev, digest]);
    this.dirty = true;
  }

  forget(entryPath: string): void {
    this.dirty = this.rows.delete(entryPath) || this.dirty;
  }

  /**
   * Writes the cache atomically (temp file + rename), so a reader never sees half of it. A download that wrote
   * something also drops the state of a few folders that are gone (see pruneReadState).
   */
  save(): void {
    if (!this.dirty) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    pruneReadState(this.home);
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    try {
      fs.writeFileSync(tmp, headerOf(FORMAT, this.directory) + JSON.stringify(Object.fromEntries(this.rows)), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be saved only means the next download hashes the files again.
      fs.rmSync(tmp, { force: true });
    }
    this.dirty = false;
  }
}

/** The body's layout: a JSON object of rows by entry path. */
const FORMAT = 1;

function readRows(file: string): [string, Row][] {
  try {
    const state = parseState(fs.readFileSync(file), FORMAT);
    if (!state) return [];
    const parsed = JSON.parse(state.body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return [];
    return Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, Row] => isRow(e[1]));
  } catch {
    return [];
  }
}

function isRow(value: unknown): value is Row {
  return Array.isArray(value) && value.length === 6 && typeof value[0] === 'number' && value.slice(1).every((v) => typeof v === 'string');
}
