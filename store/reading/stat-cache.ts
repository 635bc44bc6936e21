import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sameStamp, type FileStamp } from './file-stamp';
import { putQuick, QUICK_FIELDS } from './quick-stamp';
import { headerOf, parseState, pruneReadState, stateFileOf } from './read-state';
import { decodeBody, encodeBody, type StateBody } from './state-body';

/** One file as a download left it: its stamp then, its digest, and whether it belongs to the version placed last. */
interface Row extends FileStamp {
  readonly digest: string;
  placed: boolean;
}

/** The files of the version placed last, as its check needs them: each path, and its quick stamp (see quick-stamp.ts). */
export interface PlacedFiles {
  readonly paths: readonly string[];
  /** QUICK_FIELDS numbers per path: size, mtimeMs, ctimeMs, ino, dev. */
  readonly quick: Float64Array;
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
 *
 * The file is read as columns (state-body.ts); the rows by path, with their exact stamps and digests, are made from
 * it only when a download needs more than the check of the version placed last.
 */
export class StatCache {
  private dirty = false;
  private byPath: Map<string, Row> | undefined;

  private constructor(
    private readonly home: string,
    private readonly directory: string,
    private readonly file: string,
    private readonly loaded: StateBody | undefined,
    private placedVersion: PlacedVersion | undefined,
  ) {}

  static open(home: string, directory: string): StatCache {
    const file = stateFileOf(home, directory);
    const loaded = readState(file);
    return new StatCache(home, directory, file, loaded, loaded && placedOf(loaded.placed));
  }

  /** Whether a download into this folder was recorded before (its state file was there and readable). */
  get hasHistory(): boolean {
    return this.loaded !== undefined;
  }

  private get rows(): Map<string, Row> {
    return (this.byPath ??= this.loaded ? rowsOf(this.loaded) : new Map());
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

  /** The files of the version placed last, when it is `root` downloaded with `prefix`. */
  placedFiles(root: string, prefix: string): PlacedFiles | undefined {
    const placed = this.placedVersion;
    if (placed?.root !== root || placed.prefix !== prefix) return undefined;
    const table = this.byPath ? columnsOf(this.byPath) : this.loaded;
    return table && onlyPlaced(table, placed.files);
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
      const header = Buffer.from(headerOf(FORMAT, this.directory));
      const body = encodeBody(header.length, { placed: this.placedVersion ?? null, ...columnsOf(this.rows), exact: exactLines(this.rows) });
      writeAll(tmp, [header, ...body]);
      fs.renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be saved only means the next download hashes the files again.
      fs.rmSync(tmp, { force: true });
    }
    this.dirty = false;
  }
}

/** The body's layout: see state-body.ts. Format 2 was one text line per file, which took longer to read than the stats. */
const FORMAT = 3;

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

function readState(file: string): StateBody | undefined {
  try {
    const bytes = fs.readFileSync(file);
    const state = parseState(bytes, FORMAT);
    return state && decodeBody(bytes, bytes.length - state.body.length);
  } catch {
    return undefined;
  }
}

function placedOf(value: unknown): PlacedVersion | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { root, prefix, files } = value as Record<string, unknown>;
  return typeof root === 'string' && typeof prefix === 'string' && typeof files === 'number' ? { root, prefix, files } : undefined;
}

/** The rows marked placed, when there are `files` of them (a state file that lost some is not trusted). */
function onlyPlaced(table: Pick<StateBody, 'paths' | 'quick' | 'marks'>, files: number): PlacedFiles | undefined {
  const { paths, quick, marks } = table;
  let marked = 0;
  for (let i = 0; i < marks.length; i++) if (marks[i] === 1) marked++;
  if (marked !== files) return undefined;
  if (marked === paths.length) return { paths, quick };
  const kept: string[] = [];
  const keptQuick = new Float64Array(marked * QUICK_FIELDS);
  for (let i = 0; i < paths.length; i++) {
    if (marks[i] !== 1) continue;
    keptQuick.set(quick.subarray(i * QUICK_FIELDS, (i + 1) * QUICK_FIELDS), kept.length * QUICK_FIELDS);
    kept.push(paths[i]!);
  }
  return { paths: kept, quick: keptQuick };
}

function columnsOf(rows: ReadonlyMap<string, Row>): Pick<StateBody, 'paths' | 'quick' | 'marks'> {
  const paths = [...rows.keys()];
  const quick = new Float64Array(rows.size * QUICK_FIELDS);
  const marks = new Uint8Array(rows.size);
  let i = 0;
  for (const row of rows.values()) {
    putQuick(quick, i * QUICK_FIELDS, row);
    marks[i++] = row.placed ? 1 : 0;
  }
  return { paths, quick, marks };
}

function exactLines(rows: ReadonlyMap<string, Row>): string[] {
  const lines: string[] = [];
  for (const r of rows.values()) lines.push(`${r.mtimeNs} ${r.ctimeNs} ${r.ino} ${r.dev} ${r.digest}`);
  return lines;
}

const EXACT = /^(-?\d+) (\d+) (\d+) (\d+) (\S+)$/;

/** The rows by path, from the exact lines; none when they do not add up (the cache is then empty: one re-hash). */
function rowsOf(body: StateBody): Map<string, Row> {
  const rows = new Map<string, Row>();
  const lines = body.exact.toString('utf8').split('\n');
  if (lines.length !== body.paths.length + 1) return rows;
  for (let i = 0; i < body.paths.length; i++) {
    const m = EXACT.exec(lines[i]!);
    if (!m) return new Map();
    const size = body.quick[i * QUICK_FIELDS]!;
    rows.set(body.paths[i]!, { size, mtimeNs: m[1]!, ctimeNs: m[2]!, ino: m[3]!, dev: m[4]!, digest: m[5]!, placed: body.marks[i] === 1 });
  }
  return rows;
}
