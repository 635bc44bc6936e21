import fs from 'node:fs';
import path from 'node:path';
import { LocalFileError, UsageError } from '../../errors';
import { DATA_FOLDER_MARK } from '../data-folder';
import { comparePaths } from '../paths';
import { errnoOf, permanentFileReason } from '../../errors/file-errors';

/** A file the walk found. A class, not an object literal: see "Memory" in this folder's README. */
export class WalkedFile {
  constructor(
    /** Path relative to the walked folder, POSIX separators. */
    readonly rel: string,
    readonly local: string,
    readonly size: number,
    readonly mtimeMs: number,
  ) {}
}

export interface SkippedPath {
  readonly local: string;
  readonly reason: string;
}


/**
 * Yields the regular files under `root` in manifest order (comparePaths of their relative paths), one folder
 * listing in memory per level of depth, never the whole list. Inside a folder, a subfolder sorts as its name plus
 * '/' (every path inside it starts so), which makes depth-first order the order of the full paths. With `after`,
 * only paths after it come out, and folders wholly before it are not even listed (how a resumed staging skips
 * what it stored). Symlinks follow walkDir's rules: followed only to a file inside `root`, otherwise reported.
 */
export function* walkSorted(root: string, skipped: SkippedPath[], after?: string): Generator<WalkedFile> {
  const realRoot = realFolder(root);
  function* visit(dir: string, rel: string): Generator<WalkedFile> {
    const listing = sortedListing(dir);
    if (listing.some(isDataFolderMark)) {
      if (rel === '') throw new UsageError(`Cannot log ${root}: it is the data folder of temporal-artifacts (ARTIFACTS_HOME), which is never logged. Log the files you need from their own folder.`);
      skipped.push({ local: dir, reason: 'the data folder of temporal-artifacts (ARTIFACTS_HOME) is never logged' });
      return;
    }
    for (const entry of listing) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const local = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Everything inside sorts in [childRel/, childRel0): skip the folder when `after` lies past that range.
        if (after === undefined || comparePaths(after, `${childRel}0`) < 0) yield* visit(local, childRel);
        continue;
      }
      if (after !== undefined && comparePaths(childRel, after) <= 0) continue;
      const file = fileOf(entry, local, childRel, realRoot, root, skipped);
      if (file) yield file;
    }
  }
  yield* visit(realRoot, '');
}

function realFolder(root: string): string {
  try {
    const real = fs.realpathSync(root);
    if (!fs.statSync(real).isDirectory()) throw new LocalFileError(root, 'it is not a folder; use addFile for a single file');
    return real;
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw unreadable(err, root);
  }
}

/** A folder's entries in manifest order, sorted in place (no object per entry: see "Memory" in the README). */
function sortedListing(dir: string): fs.Dirent[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadable(err, dir);
  }
  return entries.sort((a, b) => comparePaths(sortKey(a), sortKey(b)));
}

function isDataFolderMark(entry: fs.Dirent): boolean {
  return entry.name === DATA_FOLDER_MARK && entry.isFile();
}

/** A subfolder sorts as its name plus '/', which every path inside it starts with. */
function sortKey(entry: fs.Dirent): string {
  return entry.isDirectory() ? `${entry.name}/` : entry.name;
}

/** A listed non-folder as a walked file, or undefined (reported in `skipped`) when it is not one to follow. */
function fileOf(entry: fs.Dirent, local: string, rel: string, realRoot: string, root: string, skipped: SkippedPath[]): WalkedFile | undefined {
  if (entry.isFile()) {
    const st = statOrThrow(local);
    return new WalkedFile(rel, local, st.size, st.mtimeMs);
  }
  if (!entry.isSymbolicLink()) {
    skipped.push({ local, reason: 'not a regular file' });
    return undefined;
  }
  let target: string;
  try {
    target = fs.realpathSync(local);
  } catch {
    skipped.push({ local, reason: 'broken symlink' });
    return undefined;
  }
  if (!target.startsWith(realRoot + path.sep)) {
    skipped.push({ local, reason: `symlink points outside ${root}` });
    return undefined;
  }
  const st = fs.statSync(target);
  if (!st.isFile()) {
    skipped.push({ local, reason: 'symlink to a folder (not followed)' });
    return undefined;
  }
  return new WalkedFile(rel, local, st.size, st.mtimeMs);
}

function statOrThrow(local: string): fs.Stats {
  try {
    return fs.statSync(local);
  } catch (err) {
    throw unreadable(err, local);
  }
}

/** A folder or file of the walk that cannot be read: the error naming it when no retry can help, else the error. */
function unreadable(err: unknown, local: string): unknown {
  const errno = errnoOf(err);
  const reason = permanentFileReason(errno?.code);
  if (!errno || !reason) return err;
  return new LocalFileError(local, reason);
}
