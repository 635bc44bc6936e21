import fs from 'node:fs';
import path from 'node:path';
import { sameStamp, type FileStamp } from './file-stamp';
import { putQuick, QUICK_FIELDS } from './quick-stamp';
import { pruneReadState, stateFileOf } from './read-state';
import type { StateBody } from './state-body';
import { readStateFile, writeStateFile } from './state-file';

/** One file as a download left it: its stamp then and its digest. */
interface Row extends FileStamp {
  readonly digest: string;
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
 * The file is read as columns (state-body.ts) and stays so: a row is looked up by path in an index made on first
 * need, and made into an object only when asked for, so a download of a version beside the one placed there (1% of
 * 20,000 files changed) makes no object per unchanged file. What a download records or forgets lies on top, by path,
 * until the cache is saved.
 */
export class StatCache {
  private dirty = false;
  /** Rows recorded (or forgotten: null) since the file was read, by path; they hide the file's row of that path. */
  private readonly changed = new Map<string, Row | null>();
  /** The file's rows by path (their index in `loaded`), made on first need. */
  private index: Map<string, number> | undefined;
  /** The file's exact lines (`mtimeNs ctimeNs ino dev digest`), split on first need; none when they do not add up. */
  private lines: string[] | undefined;
  private digests: string[] | undefined;
  /**
   * The paths marked placed since the file was read (markPlaced, unmarkPlaced), a row recorded since then leaving
   * them; undefined: the file's own marks, with no recorded row placed.
   */
  private marked: Set<string> | undefined;

  private constructor(
    private readonly home: string,
    private readonly directory: string,
    private readonly file: string,
    private readonly loaded: StateBody | undefined,
    private placedVersion: PlacedVersion | undefined,
  ) {}

  static open(home: string, directory: string): StatCache {
    const file = stateFileOf(home, directory);
    const loaded = readStateFile(file);
    return new StatCache(home, directory, file, loaded, loaded && placedOf(loaded.placed));
  }

  /** Whether a download into this folder was recorded before (its state file was there and readable). */
  get hasHistory(): boolean {
    return this.loaded !== undefined;
  }

  /** The digest recorded for `entryPath`, if its stamp still matches. */
  digestOf(entryPath: string, stamp: FileStamp): string | undefined {
    const row = this.rowOf(entryPath);
    return row && sameStamp(row, stamp) ? row.digest : undefined;
  }

  /** What was recorded of `entryPath`: its stamp and digest then. */
  rowOf(entryPath: string): (FileStamp & { readonly digest: string }) | undefined {
    if (this.changed.has(entryPath)) return this.changed.get(entryPath) ?? undefined;
    const i = this.indexOf(entryPath);
    return i === undefined ? undefined : this.fileRow(i);
  }

  /** The digest recorded for `entryPath` (whatever its stamp), without making its row. */
  knownDigest(entryPath: string): string | undefined {
    if (this.changed.has(entryPath)) return this.changed.get(entryPath)?.digest;
    const i = this.indexOf(entryPath);
    return i === undefined ? undefined : this.fileDigests()[i];
  }

  /** Whether anything is known of `entryPath` (a file a download wrote or hashed there before). */
  knows(entryPath: string): boolean {
    return this.knownDigest(entryPath) !== undefined;
  }

  /**
   * Of `entries`, those recorded (with any digest), the quick stamp recorded for each (QUICK_FIELDS numbers apiece:
   * the files to look at with one stat each, placed-check.ts's stillThereQuick) and whether each was recorded with
   * the digest it has now (1) or another (0). A row of the file gives its numbers as they lie, without being parsed.
   */
  recordedOf<E extends { readonly path: string; readonly digest: string }>(entries: readonly E[]): { entries: E[]; quick: Float64Array; same: Uint8Array } {
    const found: E[] = [];
    const quick = new Float64Array(entries.length * QUICK_FIELDS);
    const same = new Uint8Array(entries.length);
    for (const entry of entries) {
      const at = found.length * QUICK_FIELDS;
      if (this.changed.has(entry.path)) {
        const row = this.changed.get(entry.path);
        if (!row) continue;
        putQuick(quick, at, row);
        same[found.length] = row.digest === entry.digest ? 1 : 0;
      } else {
        const i = this.indexOf(entry.path);
        if (i === undefined) continue;
        const from = this.loaded!.quick;
        for (let k = 0; k < QUICK_FIELDS; k++) quick[at + k] = from[i * QUICK_FIELDS + k]!;
        same[found.length] = this.fileDigests()[i] === entry.digest ? 1 : 0;
      }
      found.push(entry);
    }
    return { entries: found, quick: quick.subarray(0, found.length * QUICK_FIELDS), same: same.subarray(0, found.length) };
  }

  record(entryPath: string, stamp: FileStamp, digest: string): void {
    const { size, mtimeNs, ctimeNs, ino, dev } = stamp;
    this.changed.set(entryPath, { size, mtimeNs, ctimeNs, ino, dev, digest });
    this.marked?.delete(entryPath);
    this.dirty = true;
  }

  forget(entryPath: string): void {
    if (!this.knows(entryPath)) return;
    this.changed.set(entryPath, null);
    this.marked?.delete(entryPath);
    this.dirty = true;
  }

  /** The files of the version placed last, when it is `root` downloaded with `prefix`. */
  placedFiles(root: string, prefix: string): PlacedFiles | undefined {
    const placed = this.placedVersion;
    if (placed?.root !== root || placed.prefix !== prefix) return undefined;
    const table = this.changed.size === 0 && this.marked === undefined ? this.loaded : this.table();
    return table && onlyPlaced(table, placed.files);
  }

  /**
   * Records that every file of version `root` under `prefix` is in place, as `paths` (each recorded here): the next
   * download of it stats them and reads nothing else. Forgets any earlier version.
   */
  markPlaced(root: string, prefix: string, paths: Iterable<string>): void {
    const marked = new Set<string>();
    for (const p of paths) {
      if (!this.knows(p)) return this.unmarkPlaced();
      marked.add(p);
    }
    this.marked = marked;
    this.placedVersion = { root, prefix, files: marked.size };
    this.dirty = true;
  }

  /** Called as a download starts changing the folder: until it ends well, no version is fully placed there. */
  unmarkPlaced(): void {
    if (!this.placedVersion) return;
    this.placedVersion = undefined;
    this.marked = new Set();
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
    // A cache that cannot be saved only means the next download hashes the files again.
    writeStateFile(this.file, this.directory, { placed: this.placedVersion ?? null, ...this.table() });
    this.dirty = false;
  }

  /** The file's row `i`; undefined when its line is not one (the file was damaged: that file is then hashed). */
  private fileRow(i: number): Row | undefined {
    const m = EXACT.exec(this.exactLines()[i]!);
    if (!m) return undefined;
    return { size: this.loaded!.quick[i * QUICK_FIELDS]!, mtimeNs: m[1]!, ctimeNs: m[2]!, ino: m[3]!, dev: m[4]!, digest: m[5]! };
  }

  private indexOf(entryPath: string): number | undefined {
    if (!this.index) {
      this.index = new Map();
      // Lines that do not add up leave the index empty: nothing of the file is trusted.
      const paths = this.exactLines().length > 0 ? this.loaded!.paths : [];
      for (let i = 0; i < paths.length; i++) this.index.set(paths[i]!, i);
    }
    return this.index.get(entryPath);
  }

  /** The digest of each of the file's rows (the end of its exact line), made on first need. */
  private fileDigests(): string[] {
    return (this.digests ??= this.exactLines().map((line) => line.slice(line.lastIndexOf(' ') + 1)));
  }

  private exactLines(): string[] {
    if (!this.lines) {
      const body = this.loaded;
      const lines = body ? body.exact.toString('utf8').split('\n') : [];
      this.lines = body && lines.length === body.paths.length + 1 ? lines : [];
    }
    return this.lines;
  }

  /** Every row as the file will hold it: the file's, each replaced or dropped as recorded since, then the new ones. */
  private table(): Pick<StateBody, 'paths' | 'quick' | 'marks'> & { exact: string[] } {
    const file = this.loaded;
    const lines = this.exactLines();
    const fileRows = file && lines.length > 0 ? file.paths.length : 0;
    const most = fileRows + this.changed.size;
    const paths: string[] = [];
    const exact: string[] = [];
    const quick = new Float64Array(most * QUICK_FIELDS);
    const marks = new Uint8Array(most);
    /** Adds a row; where its quick stamp goes. */
    const keep = (p: string, line: string, placed: boolean): number => {
      marks[paths.length] = placed ? 1 : 0;
      paths.push(p);
      exact.push(line);
      return (paths.length - 1) * QUICK_FIELDS;
    };
    for (let i = 0; i < fileRows; i++) {
      const p = file!.paths[i]!;
      const row = this.changed.get(p);
      if (row === null) continue;
      if (row) putQuick(quick, keep(p, lineOf(row), this.marked?.has(p) === true), row);
      else quick.set(file!.quick.subarray(i * QUICK_FIELDS, (i + 1) * QUICK_FIELDS), keep(p, lines[i]!, this.marked ? this.marked.has(p) : file!.marks[i] === 1));
    }
    for (const [p, row] of this.changed) {
      if (row === null || (fileRows > 0 && this.indexOf(p) !== undefined)) continue;
      putQuick(quick, keep(p, lineOf(row), this.marked?.has(p) === true), row);
    }
    return { paths, quick: quick.subarray(0, paths.length * QUICK_FIELDS), marks: marks.subarray(0, paths.length), exact };
  }
}

function lineOf(row: Row): string {
  return `${row.mtimeNs} ${row.ctimeNs} ${row.ino} ${row.dev} ${row.digest}`;
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

const EXACT = /^(-?\d+) (\d+) (\d+) (\d+) (\S+)$/;
