import fs from 'node:fs';
import path from 'node:path';
import { ExactLines } from './exact-lines';
import { sameStamp, type FileStamp } from './file-stamp';
import { MarkedPaths } from './marked-paths';
import { putQuick, QUICK_FIELDS } from './quick-stamp';
import { pruneReadState, stateFileOf } from './read-state';
import type { StateBody } from './state-body';
import { readStateFile, writeStateFile } from './state-file';
import { isSorted, onlyPlaced, tableOf, type PlacedFiles, type Row, type Table } from './state-table';

/** A version (its manifest root, and the path prefix downloaded) whose every file in scope a download placed. */
export interface PlacedVersion {
  readonly root: string;
  readonly prefix: string;
  /** How many files it has in scope: a state file missing some of their rows is not trusted. */
  readonly files: number;
  /** Their bytes in all, as the download that placed them counted (undefined in a state file of an older release). */
  readonly bytes?: number | undefined;
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
  /** The row tried first by the next lookup: the one after the row found last. */
  private next = 0;
  /** Whether the file's rows are in path order (so a row is found by a binary search); known on first need. */
  private inOrder: boolean | undefined;
  /** Rows found with another digest than asked (recordedOf): files about to be replaced, their rows asked for again. */
  private readonly remembered = new Map<string, number>();
  /** The file's exact lines (`mtimeNs ctimeNs ino dev digest`), found on first need; none when they do not add up. */
  private lines: ExactLines | undefined;
  /**
   * The paths marked placed since the file was read (markPlaced, unmarkPlaced), a row recorded since then leaving
   * them; undefined: the file's own marks, with no recorded row placed.
   */
  private marked: MarkedPaths | undefined;

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

  /** The version a download placed here last in full, if any (placedFiles gives its files). */
  get lastPlaced(): PlacedVersion | undefined {
    return this.placedVersion;
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
    return i === undefined ? undefined : this.exactLines().digest(i);
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
    // One tight pass: a download asks in path order, and the file's rows mostly lie in it (see indexOf).
    const rows = this.trusted() ? this.loaded!.paths : [];
    const lines = this.exactLines();
    const changed = this.changed;
    let next = 0;
    for (const entry of entries) {
      const p = entry.path;
      const at = found.length * QUICK_FIELDS;
      if (changed.size > 0 && changed.has(p)) {
        const row = changed.get(p);
        if (rows[next] === p) next++;
        if (!row) continue;
        putQuick(quick, at, row);
        same[found.length] = row.digest === entry.digest ? 1 : 0;
        found.push(entry);
        continue;
      }
      const i = rows[next] === p ? next : this.indexOf(p);
      if (i === undefined) continue;
      next = i + 1;
      quick.set(this.loaded!.quick.subarray(i * QUICK_FIELDS, (i + 1) * QUICK_FIELDS), at);
      const isSame = lines.endsWithDigest(i, entry.digest);
      same[found.length] = isSame ? 1 : 0;
      // Such a file is likely replaced, and its row then looked up again, out of turn.
      if (!isSame) this.remembered.set(p, i);
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
    const files = table && onlyPlaced(table, placed.files);
    return files && { ...files, bytes: placed.bytes };
  }

  /**
   * Records that every file of version `root` under `prefix` is in place, as `paths` (each recorded here), `bytes` in
   * all: the next download of it stats them and reads nothing else. Forgets any earlier version.
   */
  markPlaced(root: string, prefix: string, paths: readonly string[], bytes?: number): void {
    // In path order, a path at the next row of the file is known unless it was forgotten since.
    const rows = this.trusted() ? this.loaded!.paths : [];
    const forgotten = [...this.changed.values()].includes(null);
    let next = 0;
    for (const p of paths) {
      if (rows[next] === p) {
        next++;
        if (!forgotten || this.changed.get(p) !== null) continue;
      }
      if (!this.knows(p)) return this.unmarkPlaced();
    }
    this.marked = new MarkedPaths(paths);
    this.placedVersion = { root, prefix, files: paths.length, ...(bytes === undefined ? {} : { bytes }) };
    this.dirty = true;
  }

  /** Called as a download starts changing the folder: until it ends well, no version is fully placed there. */
  unmarkPlaced(): void {
    if (!this.placedVersion) return;
    this.placedVersion = undefined;
    this.marked = new MarkedPaths([]);
    this.dirty = true;
  }

  /**
   * Writes the cache atomically (temp file + rename), so a reader never sees half of it. A save that adds a state file
   * (the first into its folder, or over one that could not be read) also drops the state of a few folders that are
   * gone (see pruneReadState): their number then stays in step with the files added.
   */
  save(): void {
    if (!this.dirty) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    if (!this.loaded) pruneReadState(this.home);
    // A cache that cannot be saved only means the next download hashes the files again.
    writeStateFile(this.file, this.directory, { placed: this.placedVersion ?? null, ...this.table() });
    this.dirty = false;
  }

  /** The file's row `i`; undefined when its line is not one (the file was damaged: that file is then hashed). */
  private fileRow(i: number): Row | undefined {
    const m = EXACT.exec(this.exactLines().line(i));
    if (!m) return undefined;
    return { size: this.loaded!.quick[i * QUICK_FIELDS]!, mtimeNs: m[1]!, ctimeNs: m[2]!, ino: m[3]!, dev: m[4]!, digest: m[5]! };
  }

  /**
   * The file's row of `entryPath`. Rows are saved in the order downloads placed them, which is mostly the manifest's
   * path order, and a download asks in that order: the row after the last one found is tried first, and only a
   * path not there makes the index of every row (a download beside the version in place makes none).
   */
  private indexOf(entryPath: string): number | undefined {
    if (!this.trusted()) return undefined;
    const paths = this.loaded!.paths;
    const guess = this.next;
    if (paths[guess] === entryPath) {
      this.next = guess + 1;
      return guess;
    }
    const i = this.remembered.get(entryPath) ?? (this.sorted() ? search(paths, entryPath) : this.indexed(entryPath));
    if (i !== undefined) this.next = i + 1;
    return i;
  }

  /**
   * Whether the file's rows are in path order (as saves since state-table.ts's inPathOrder leave them), as the file
   * says, else looked at. A file that says so wrongly only loses rows: a search gives no row but one of its path.
   */
  private sorted(): boolean {
    return (this.inOrder ??= this.loaded!.sorted ?? isSorted(this.loaded!.paths));
  }

  /** The row of a path by the index of every row, made on first need (a file whose rows are out of order). */
  private indexed(entryPath: string): number | undefined {
    if (!this.index) {
      this.index = new Map();
      const paths = this.loaded!.paths;
      for (let i = 0; i < paths.length; i++) this.index.set(paths[i]!, i);
    }
    return this.index.get(entryPath);
  }

  /** Whether the file's rows are trusted: its exact lines add up (one per path). */
  private trusted(): boolean {
    return this.exactLines().ok;
  }

  private exactLines(): ExactLines {
    const body = this.loaded;
    return (this.lines ??= body ? new ExactLines(body.exact, body.paths.length) : ExactLines.none);
  }

  /** Every row as the file will hold it (see state-table.ts). */
  private table(): Table {
    return tableOf({ file: this.loaded, lines: this.exactLines(), changed: this.changed, marked: this.marked, rowOf: (p) => this.indexOf(p) });
  }
}

function placedOf(value: unknown): PlacedVersion | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { root, prefix, files, bytes } = value as Record<string, unknown>;
  if (typeof root !== 'string' || typeof prefix !== 'string' || typeof files !== 'number') return undefined;
  // Only reported (a download's byte count), never trusted for anything else; a value that is not a count is dropped.
  return { root, prefix, files, bytes: Number.isSafeInteger(bytes) && (bytes as number) >= 0 ? (bytes as number) : undefined };
}

/** The index of `key` in `sorted` (ordered by `<`), by binary search. */
function search(sorted: readonly string[], key: string): number | undefined {
  let [lo, hi] = [0, sorted.length - 1];
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const here = sorted[mid]!;
    if (here === key) return mid;
    if (here < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

const EXACT = /^(-?\d+) (\d+) (\d+) (\d+) (\S+)$/;
