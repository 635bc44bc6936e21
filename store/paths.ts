import path from 'node:path';
import { InvalidPathError, PathClashError, UsageError } from '../errors';
import { DATA_FOLDER_MARK } from './data-folder';

// Control characters (C0, DEL, C1) are refused: they break terminals, manifests and other tools.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Normalizes an artifact entry name to a relative POSIX path, or throws InvalidPathError.
 * `./a/b` becomes `a/b`; absolute paths, `..`, empty segments, backslashes, NUL and control characters are refused.
 */
export function normalizeEntryPath(name: string): string {
  if (typeof name === 'string' && isPlainPath(name)) return marks(name) ? refuseMark(name) : name;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidPathError(String(name), 'the name is empty');
  if (CONTROL.test(name)) throw new InvalidPathError(name, 'it contains a NUL or control character');
  if (name.includes('\\')) throw new InvalidPathError(name, 'it contains a backslash');
  if (name.startsWith('/')) throw new InvalidPathError(name, 'absolute paths are not allowed');
  if (/^[A-Za-z]:/.test(name)) throw new InvalidPathError(name, 'drive-letter paths are not allowed');
  const segments = name.split('/').filter((s) => s !== '.');
  if (segments.length === 0) throw new InvalidPathError(name, 'it names no file');
  for (const s of segments) {
    if (s === '') throw new InvalidPathError(name, 'it has an empty segment ("//" or a trailing "/")');
    if (s === '..') throw new InvalidPathError(name, '".." segments are not allowed');
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long segments need counting.
    if (s.length * 3 > MAX_SEGMENT_BYTES && Buffer.byteLength(s) > MAX_SEGMENT_BYTES) {
      throw new InvalidPathError(name, `the segment "${s.slice(0, 24)}..." is ${Buffer.byteLength(s)} bytes long, and file systems allow ${MAX_SEGMENT_BYTES}`);
    }
  }
  const clean = segments.join('/');
  if (marks(clean)) refuseMark(clean);
  if (clean.length * 3 > MAX_PATH_BYTES && Buffer.byteLength(clean) > MAX_PATH_BYTES) {
    throw new InvalidPathError(`${clean.slice(0, 40)}...`, `it is ${Buffer.byteLength(clean)} bytes long, and file systems allow paths of ${MAX_PATH_BYTES}`);
  }
  return clean;
}

/** Whether the path's file is named as the mark of a data folder: downloaded, it would mark its folder as one. */
function marks(clean: string): boolean {
  return clean.endsWith(DATA_FOLDER_MARK) && (clean.length === DATA_FOLDER_MARK.length || clean.endsWith(`/${DATA_FOLDER_MARK}`));
}

function refuseMark(name: string): never {
  throw new InvalidPathError(name, `the name ${JSON.stringify(DATA_FOLDER_MARK)} is reserved: it marks the data folder of temporal-artifacts`);
}

/** Limits of common file systems (NAME_MAX, PATH_MAX): a longer entry could never be downloaded. */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Whether `name` is already a normal entry path, checked in one pass without allocating (what every path of a
 * manifest is, so a download of many files proves each one cheaply): relative, no empty, `.` or `..` segment, no
 * control character or backslash, no drive letter, and short enough that no byte needs counting. Anything else
 * takes normalizeEntryPath's full road, which says what is wrong.
 */
function isPlainPath(name: string): boolean {
  const n = name.length;
  if (n === 0 || n * 3 > MAX_PATH_BYTES) return false;
  if (n >= 2 && name.charCodeAt(1) === 0x3a && /^[A-Za-z]/.test(name)) return false;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const length = i - start;
      if (length === 0 || length * 3 > MAX_SEGMENT_BYTES) return false;
      if (name.charCodeAt(start) === DOT && (length === 1 || (length === 2 && name.charCodeAt(start + 1) === DOT))) return false;
      start = i + 1;
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x5c) {
      return false;
    }
  }
  return true;
}

/**
 * Finds, in a path-sorted stream of entry paths, one that is both a file and a folder (`x` and `x/y`), which no
 * file system can hold. Every path between `x` and `x/...` in code-point order starts with `x`, so the files that
 * could still clash with what follows are the chain of prefixes of the latest path, kept on a stack.
 */
export class FileFolderClash {
  private readonly chain: string[] = [];

  /** Adds the next path (in comparePaths order); returns the earlier file it would have to be under, if any. */
  add(next: string): string | undefined {
    while (this.chain.length > 0 && !next.startsWith(this.chain[this.chain.length - 1]!)) this.chain.pop();
    const file = this.chain.find((p) => next.startsWith(`${p}/`));
    this.chain.push(next);
    return file;
  }
}

/** Throws a PathClashError naming the first file that another of `sorted` (paths in comparePaths order) lies under. */
export function refuseClashes(sorted: Iterable<string>): void {
  const clash = new FileFolderClash();
  for (const p of sorted) {
    const file = clash.add(p);
    if (file !== undefined) throw new PathClashError(file, p);
  }
}

/** The folders a path lies in, outermost first: `a/b/c` gives `a`, `a/b`. */
export function foldersOf(entryPath: string): string[] {
  const out: string[] = [];
  for (let i = entryPath.indexOf('/'); i !== -1; i = entryPath.indexOf('/', i + 1)) out.push(entryPath.slice(0, i));
  return out;
}

/** Normalizes a folder prefix (for `addDir(..., { name })` and `remove(prefix)`); an empty prefix means the root. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '.' || prefix === './') return '';
  return normalizeEntryPath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Joins a prefix and a relative name into an entry path. */
export function joinEntryPath(prefix: string, rel: string): string {
  return normalizeEntryPath(prefix === '' ? rel : `${prefix}/${rel}`);
}

/**
 * Resolves an entry path inside a target folder. The path is normalized first (a `..`, absolute or otherwise
 * hostile name is refused there), so the result always stays inside: a manifest can never make `download` write
 * elsewhere.
 */
export function resolveInside(root: string, entryPath: string): string {
  const clean = normalizeEntryPath(entryPath);
  const base = resolvedRoot(root);
  // A normal entry path is relative and has no `..`, `.` or empty segment: it names a place under base as it is.
  return base === '/' ? `/${clean}` : `${base}/${clean}`;
}

let lastRoot: string | undefined;
let lastBase = '';

/** `path.resolve(root)`, remembered for the absolute root asked last (a download proves each of its paths under one root). */
function resolvedRoot(root: string): string {
  if (!path.isAbsolute(root)) return path.resolve(root);
  if (root !== lastRoot) {
    lastBase = path.resolve(root);
    lastRoot = root;
  }
  return lastBase;
}

/**
 * Orders paths by Unicode code point (the same order as their UTF-8 bytes), so the canonical
 * version digest is the same in any language. Plain `<` on JS strings compares UTF-16 units instead.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks an id that becomes one folder name (a run id, a step id), so that it can neither climb out of its parent
 * (`..`, `/`) nor name a hidden or overlong entry. `what` names the id in the message, e.g. `Run id`.
 */
export function assertFolderName(what: string, value: string, where: string): string {
  if (typeof value === 'string' && FOLDER_NAME.test(value)) return value;
  throw new UsageError(
    `${what} ${JSON.stringify(value)} cannot name a folder (it becomes ${where}): use 1-128 letters, digits, "_", "." or "-", starting with a letter, digit or "_".`,
  );
}

/** True when the absolute `file` is `folder` or under it (by name: links are not followed). */
export function isInsideFolder(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
