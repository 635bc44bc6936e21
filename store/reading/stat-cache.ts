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

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/** One file as a download left it: its stamp then, its digest, and whether it belongs to the version placed last. */
interface Row extends FileStamp {
  readonly digest: string;
  placed: boolean;
}

/** A version (its manifest root, and the path prefix downloaded) whose every file in scope a download placed. */
export interface PlacedVersion {
  readonly root: string;
  readonly prefix: string;
  /** How many files it has in scope: a state file missing some of their rows is not trusted. */
  readonly files: number;
}

/**
 * Per download folder, the digest of each file as it was when a download wrote or hashed it, keyed by its stamp
 * (size, mtime, ctime, inode, device): a file whose stamp is unchanged is known to hold those bytes without being
 * read again. It also names the version a download last placed in full (every file of it in scope matched): a
 * download of that same version then needs neither its manifest nor any blob, only a stat of each of its files.
 *
 * It lives in the data folder (`<home>/read-state/<sha256 of the folder's path>.state`), not in the download folder:
 * the folder then holds exactly the version's files, and someone who can write that folder cannot forge an entry.
 * It is only a hint: an entry whose stamp does not match is ignored and the file hashed, a lost or damaged cache
 * file costs one re-hash, and concurrent downloads into one folder at worst overwrite each other's.
 */
export class StatCache {
  private dirty = false;

  private constructor(
    private readonly home: string,
    private readonly directory: string,
    private readonly file: string,
    private readonly rows: Map<string, Row>,
    private placedVersion: PlacedVersion | undefined,
  ) {}

  static open(home: string, directory: string): StatCache {
    const file = stateFileOf(home, directory);
    const { rows, placed } = readState(file);
    return new StatCache(home, directory, file, rows, placed);
  }

  /** The digest recorded for `entryPath`, if its stamp still matches. */
  digestOf(entryPath: string, stamp: FileStamp): string | undefined {
    const row = this.rows.get(entryPath);
    return row && sameStamp(row, stamp) ? row.digest : undefined;
  }

  /** What was recorded of `entryPath`: its stamp and digest then. */
  rowOf(entryPath: string): (FileStamp & { readonly digest: string }) | undefined {
    return this.rows.get(entryPath);
  }

  /** Whether anything is known of `entryPath` (a file a download wrote or hashed there before). */
  knows(entryPath: string): boolean {
    return this.rows.has(entryPath);
  }

  record(entryPath: string, stamp: FileStamp, digest: string): void {
    const { size, mtimeNs, ctimeNs, ino, dev } = stamp;
    this.rows.set(entryPath, { size, mtimeNs, ctimeNs, ino, dev, digest, placed: false });
    this.dirty = true;
  }

  forget(entryPath: string): void {
    this.dirty = this.rows.delete(entryPath) || this.dirty;
  }

  /** The files of the version placed last, when it is `root` downloaded with `prefix`: path, stamp and digest of each. */
  placedFiles(root: string, prefix: string): [string, FileStamp & { readonly digest: string }][] | undefined {
    const placed = this.placedVersion;
    if (placed?.root !== root || placed.prefix !== prefix) return undefined;
    const files = [...this.rows].filter(([, row]) => row.placed);
    return files.length === placed.files ? files : undefined;
  }

  /**
   * Records that every file of version `root` under `prefix` is in place, as `paths` (each recorded here): the next
   * download of it stats them and reads nothing else. Forgets any earlier version.
   */
  markPlaced(root: string, prefix: string, paths: Iterable<string>): void {
    for (const row of this.rows.values()) row.placed = false;
    let files = 0;
    for (const p of paths) {
      const row = this.rows.get(p);
      if (!row) return this.unmarkPlaced();
      row.placed = true;
      files++;
    }
    this.placedVersion = { root, prefix, files };
    this.dirty = true;
  }

  /** Called as a download starts changing the folder: until it ends well, no version is fully placed there. */
  unmarkPlaced(): void {
    if (!this.placedVersion) return;
    this.placedVersion = undefined;
    for (const row of this.rows.values()) row.placed = false;
    this.dirty = true;
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
      fs.writeFileSync(tmp, headerOf(FORMAT, this.directory) + formatBody(this.placedVersion, this.rows), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be saved only means the next download hashes the files again.
      fs.rmSync(tmp, { force: true });
    }
    this.dirty = false;
  }
}

/**
 * The body's layout: a JSON line naming the version placed last (or `null`), then one line per file,
 * `placed size mtimeNs ctimeNs ino dev digest path` separated by single spaces, the path last (paths hold no
 * control characters, so no newline). Plain lines, as a JSON object of 20,000 rows took longer to parse than the
 * stats it spares.
 */
const FORMAT = 2;

function formatBody(placed: PlacedVersion | undefined, rows: ReadonlyMap<string, Row>): string {
  const lines = [JSON.stringify(placed ?? null)];
  for (const [p, r] of rows) lines.push(`${r.placed ? 1 : 0} ${r.size} ${r.mtimeNs} ${r.ctimeNs} ${r.ino} ${r.dev} ${r.digest} ${p}`);
  return lines.join('\n') + '\n';
}

function readState(file: string): { rows: Map<string, Row>; placed: PlacedVersion | undefined } {
  const rows = new Map<string, Row>();
  let placed: PlacedVersion | undefined;
  try {
    const state = parseState(fs.readFileSync(file), FORMAT);
    if (!state) return { rows, placed };
    const lines = state.body.toString('utf8').split('\n');
    placed = parsePlaced(lines[0] ?? '');
    for (let i = 1; i < lines.length; i++) {
      const row = parseRow(lines[i]!);
      if (row) rows.set(row[0], row[1]);
    }
  } catch {
    rows.clear();
    placed = undefined;
  }
  return { rows, placed };
}

function parsePlaced(line: string): PlacedVersion | undefined {
  const value = JSON.parse(line) as unknown;
  if (typeof value !== 'object' || value === null) return undefined;
  const { root, prefix, files } = value as Record<string, unknown>;
  return typeof root === 'string' && typeof prefix === 'string' && typeof files === 'number' ? { root, prefix, files } : undefined;
}

const ROW = /^([01]) (\d+) (\d+) (\d+) (\d+) (\d+) (\S+) (.+)$/;

function parseRow(line: string): [string, Row] | undefined {
  const m = ROW.exec(line);
  if (!m) return undefined;
  return [m[8]!, { placed: m[1] === '1', size: Number(m[2]), mtimeNs: m[3]!, ctimeNs: m[4]!, ino: m[5]!, dev: m[6]!, digest: m[7]! }];
}
