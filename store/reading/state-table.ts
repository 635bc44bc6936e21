import type { ExactLines } from './exact-lines';
import type { FileStamp } from './file-stamp';
import { putQuick, QUICK_FIELDS, quickSize } from './quick-stamp';
import type { StateBody, Table } from './state-body';

export type { Table } from './state-body';

/** One file as a download left it: its stamp then and its digest. */
export interface Row extends FileStamp {
  readonly digest: string;
}

/** Rows rebuilt one by one, the exact lines as strings. */
type RebuiltTable = Pick<StateBody, 'paths' | 'quick' | 'marks'> & { readonly exact: readonly string[] };

/** The files of the version placed last, as its check needs them: each path, and its quick stamp (see quick-stamp.ts). */
export interface PlacedFiles {
  readonly paths: readonly string[];
  /** QUICK_FIELDS numbers per path: size, mtimeMs, ctimeMs, ino, dev. */
  readonly quick: Float64Array;
  /** The paths as a state file holds them (each followed by a newline), when they are every row of the one read. */
  readonly pathBytes?: Buffer | undefined;
  /** Their bytes in all, when the state says (else summed from their quick stamps). */
  readonly bytes?: number | undefined;
}

/** A state file as read, and what a download recorded, forgot and marked since (see stat-cache.ts). */
export interface StateChanges {
  readonly file: StateBody | undefined;
  /** The file's exact lines; none (not `ok`) when they do not add up (nothing of the file is then trusted). */
  readonly lines: ExactLines;
  /** Rows recorded (or forgotten: null) since, by path. */
  readonly changed: ReadonlyMap<string, Row | null>;
  /** The paths marked placed since (only known rows); undefined: the file's own marks, no recorded row placed. */
  readonly marked: { readonly size: number; readonly listed: readonly string[] | undefined; has(entryPath: string): boolean } | undefined;
  /** The file's row of a path. */
  rowOf(entryPath: string): number | undefined;
}

/** Every row as the file will hold it: the file's, each replaced or dropped as recorded since, then the new ones. */
export function tableOf(s: StateChanges): Table {
  const { file, lines, changed, marked } = s;
  const fileRows = file && lines.ok ? file.paths.length : 0;
  if (fileRows > 0 && [...changed].every(([p, row]) => row !== null && s.rowOf(p) !== undefined)) return patched(s, file!);
  const fresh = fileRows === 0 ? markedRows(changed, marked?.listed) : undefined;
  if (fresh) return fresh;
  const most = fileRows + changed.size;
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
    const row = changed.get(p);
    if (row === null) continue;
    if (row) putQuick(quick, keep(p, lineOf(row), marked?.has(p) === true), row);
    else quick.set(file!.quick.subarray(i * QUICK_FIELDS, (i + 1) * QUICK_FIELDS), keep(p, lines.line(i), marked ? marked.has(p) : file!.marks[i] === 1));
  }
  for (const [p, row] of changed) {
    if (row === null || (fileRows > 0 && s.rowOf(p) !== undefined)) continue;
    putQuick(quick, keep(p, lineOf(row), marked?.has(p) === true), row);
  }
  return inPathOrder({ paths, quick: quick.subarray(0, paths.length * QUICK_FIELDS), marks: marks.subarray(0, paths.length), exact });
}

/**
 * The rows of a folder whose state holds nothing else, when every row recorded is marked placed (a first download):
 * in the order the version's paths were marked (its manifest's), so neither a Set of them nor a sort is made for rows
 * recorded as the helper's threads finished. Undefined when some path marked was not recorded, or rows are more.
 */
function markedRows(changed: ReadonlyMap<string, Row | null>, listed: readonly string[] | undefined): Table | undefined {
  if (!listed || listed.length !== changed.size) return undefined;
  const quick = new Float64Array(listed.length * QUICK_FIELDS);
  const exact: string[] = new Array<string>(listed.length);
  for (let i = 0; i < listed.length; i++) {
    const row = changed.get(listed[i]!);
    if (!row) return undefined;
    putQuick(quick, i * QUICK_FIELDS, row);
    exact[i] = lineOf(row);
  }
  return inPathOrder({ paths: listed, quick, marks: new Uint8Array(listed.length).fill(1), exact });
}

/**
 * The file's rows with those recorded since put in their places: when every change replaced a row of the file
 * (a download beside the version in place), its columns are copied whole and patched, not rebuilt row by row, and
 * its text sections are written as they lie but for the replaced lines.
 */
function patched(s: StateChanges, file: StateBody): Table {
  const { lines, changed, marked } = s;
  const rows = file.paths.length;
  const quick = file.quick.slice();
  const marks = new Uint8Array(rows);
  // What is marked is known rows only (markPlaced takes no other), so as many marks as rows are all of them.
  if (marked === undefined) marks.set(file.marks);
  else if (marked.size === rows) marks.fill(1);
  else for (let i = 0; i < rows; i++) marks[i] = marked.has(file.paths[i]!) ? 1 : 0;
  const replaced = new Map<number, string>();
  for (const [p, row] of changed) {
    const i = s.rowOf(p)!;
    putQuick(quick, i * QUICK_FIELDS, row!);
    replaced.set(i, lineOf(row!));
    if (marked === undefined) marks[i] = 0;
  }
  return { paths: file.paths, quick, marks, sorted: file.sorted ?? isSorted(file.paths), bytes: { paths: file.pathBytes, exact: patchedLines(lines, replaced) } };
}

/**
 * The file's exact section with the lines of the rows in `replaced` put anew: the bytes between those rows are
 * copied as they lie.
 */
function patchedLines(lines: ExactLines, replaced: ReadonlyMap<number, string>): Buffer[] {
  // Recorded in path order, as a download places files: sorted only when not.
  let order = [...replaced.keys()];
  if (order.some((i, k) => k > 0 && order[k - 1]! > i)) order = order.sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let copiedTo = 0;
  for (const i of order) {
    pieces.push(lines.bytes.subarray(copiedTo, lines.start(i)), Buffer.from(`${replaced.get(i)}\n`));
    copiedTo = lines.start(i + 1);
  }
  pieces.push(lines.bytes.subarray(copiedTo));
  // Written as pieces (one writev), not joined: a fresh buffer the size of the section costs more than the copy.
  return pieces;
}

/**
 * The rows sorted by path, as a manifest lists them (so the next download finds each row where it looks first: see
 * StatCache's indexOf). Compared with `<` (the UTF-16 order, which differs from the manifest's only around astral
 * characters, where a lookup then falls back to a search of its own). Rows a download recorded come in runs already in
 * order (each batch's files), which the engine's merge sort takes as they are.
 */
function inPathOrder(t: RebuiltTable): RebuiltTable & { sorted: true } {
  const { paths } = t;
  if (isSorted(paths)) return { ...t, sorted: true };
  const order = Array.from(paths, (_, i) => i).sort((a, b) => (paths[a]! < paths[b]! ? -1 : 1));
  const quick = new Float64Array(t.quick.length);
  order.forEach((from, to) => quick.set(t.quick.subarray(from * QUICK_FIELDS, (from + 1) * QUICK_FIELDS), to * QUICK_FIELDS));
  return { paths: order.map((i) => paths[i]!), quick, marks: Uint8Array.from(order, (i) => t.marks[i]!), exact: order.map((i) => t.exact[i]!), sorted: true };
}

/** Whether `paths` are in path order (by `<`, each after the one before). */
export function isSorted(paths: readonly string[]): boolean {
  for (let i = 1; i < paths.length; i++) if (!(paths[i - 1]! < paths[i]!)) return false;
  return true;
}

function lineOf(row: Row): string {
  return `${row.mtimeNs} ${row.ctimeNs} ${row.ino} ${row.dev} ${row.digest}`;
}

/** The bytes of the files of the version placed last: as the state says, else the sum of their sizes. */
export function placedBytes(placed: PlacedFiles): number {
  if (placed.bytes !== undefined) return placed.bytes;
  let bytes = 0;
  for (let i = 0; i < placed.paths.length; i++) bytes += quickSize(placed.quick, i);
  return bytes;
}

/** The rows marked placed, when there are `files` of them (a state file that lost some is not trusted). */
export function onlyPlaced(table: Pick<StateBody, 'paths' | 'quick' | 'marks'> & { pathBytes?: Buffer }, files: number): PlacedFiles | undefined {
  const { paths, quick, marks } = table;
  // Every row marked (a version placed alone in its folder) is told by one built-in search, not a loop per row.
  if (marks.length === files && marks.indexOf(0) === -1) return { paths, quick, pathBytes: table.pathBytes };
  let marked = 0;
  for (let i = 0; i < marks.length; i++) if (marks[i] === 1) marked++;
  if (marked !== files) return undefined;
  const kept: string[] = [];
  const keptQuick = new Float64Array(marked * QUICK_FIELDS);
  for (let i = 0; i < paths.length; i++) {
    if (marks[i] !== 1) continue;
    keptQuick.set(quick.subarray(i * QUICK_FIELDS, (i + 1) * QUICK_FIELDS), kept.length * QUICK_FIELDS);
    kept.push(paths[i]!);
  }
  return { paths: kept, quick: keptQuick };
}
