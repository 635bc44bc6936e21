import path from 'node:path';
import { InvalidPathError, UsageError } from '../errors';

// Control characters (C0, DEL, C1) are refused: they break terminals, manifests and other tools.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Normalizes an artifact entry name to a relative POSIX path, or throws InvalidPathError.
 * `./a/b` becomes `a/b`; absolute paths, `..`, empty segments, backslashes, NUL and control characters are refused.
 */
export function normalizeEntryPath(name: string): string {
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
  }
  return segments.join('/');
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
 * Resolves an entry path inside a target folder and proves the result stays inside it,
 * so a manifest can never make `download` write elsewhere.
 */
export function resolveInside(root: string, entryPath: string): string {
  const clean = normalizeEntryPath(entryPath);
  const base = path.resolve(root);
  const full = path.resolve(base, ...clean.split('/'));
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new InvalidPathError(entryPath, `it resolves outside ${base}`);
  }
  return full;
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
