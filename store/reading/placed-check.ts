import fs from 'node:fs';
import { sameStamp, stampOf, type FileStamp } from './stat-cache';

/**
 * Whether every file of a version placed in `root` is still as the download left it (same size, mtime, ctime,
 * inode and device), by one lstat each: no manifest, no blob and no file is read. Each folder on the way must
 * still be a folder, not a link: a download never wrote through one, so neither does it vouch for files behind one.
 * False at the first file or folder that differs, and the caller then downloads the usual way.
 */
export function stillPlaced(root: string, files: readonly (readonly [string, FileStamp])[]): boolean {
  const folders = new Set<string>();
  return files.every(([entryPath, stamp]) => stillThere(root, entryPath, stamp, folders));
}

/** Whether the file at `entryPath` has `stamp` still, its folders being folders (those in `folders` known to be). */
export function stillThere(root: string, entryPath: string, stamp: FileStamp, folders: Set<string>): boolean {
  if (!foldersStay(root, entryPath, folders)) return false;
  const st = fs.lstatSync(`${root}/${entryPath}`, { bigint: true, throwIfNoEntry: false });
  return st?.isFile() === true && sameStamp(stamp, stampOf(st));
}

/** Whether each folder of `entryPath` below `root` is a real folder (each looked at once, remembered in `seen`). */
function foldersStay(root: string, entryPath: string, seen: Set<string>): boolean {
  for (let slash = entryPath.indexOf('/'); slash > 0; slash = entryPath.indexOf('/', slash + 1)) {
    const folder = entryPath.slice(0, slash);
    if (seen.has(folder)) continue;
    if (!fs.lstatSync(`${root}/${folder}`, { throwIfNoEntry: false })?.isDirectory()) return false;
    seen.add(folder);
  }
  return true;
}
