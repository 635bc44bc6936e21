import fs from 'node:fs';
import { nativeHelper, type NativeHelper } from '../blobs/native';
import { QUICK_FIELDS, sameQuick, sameQuickAt } from './quick-stamp';
import type { PlacedFiles } from './state-table';

const PLAIN = { throwIfNoEntry: false } as const;

/**
 * Whether every file of a version placed in `root` is still as the download left it (same size, mtime, ctime,
 * inode and device, compared as quick stamps: see quick-stamp.ts), by one lstat each: no manifest, no blob and no
 * file is read. Each folder on the way must still be a folder, not a link: a download never wrote through one, so
 * neither does it vouch for files behind one. False at the first file or folder that differs, and the caller then
 * downloads the usual way.
 */
export function stillPlaced(root: string, files: PlacedFiles): boolean {
  const native = nativeHelper();
  return native ? stillPlacedAtOnce(native, root, files) : stillPlacedOneByOne(root, files);
}

function stillPlacedOneByOne(root: string, files: PlacedFiles): boolean {
  const { paths, quick } = files;
  const folders = new Set<string>();
  // Paths come in order, so most share the folder of the one before: that one is not looked at again.
  let lastFolder = '';
  for (let i = 0; i < paths.length; i++) {
    const entryPath = paths[i]!;
    const slash = entryPath.lastIndexOf('/');
    if (slash > 0 && (slash !== lastFolder.length || !entryPath.startsWith(lastFolder))) {
      if (!foldersStay(root, entryPath, folders)) return false;
      lastFolder = entryPath.slice(0, slash);
    }
    const st = fs.lstatSync(`${root}/${entryPath}`, PLAIN);
    if (st === undefined || !st.isFile() || !sameQuick(st, quick, i * QUICK_FIELDS)) return false;
  }
  return true;
}

/**
 * The same answer with every lstat in one call to the native helper, spread over the cores (each folder opened once,
 * never through a link, and its files looked at inside it).
 */
function stillPlacedAtOnce(native: NativeHelper, root: string, files: PlacedFiles): boolean {
  const { paths, quick, pathBytes } = files;
  // The state file's own paths section, as it was read: nothing joined or encoded again.
  if (pathBytes) return native.firstChanged(root, pathBytes, quick) === -1;
  for (let from = 0; from < paths.length; from += SLICE) {
    const slice = paths.slice(from, from + SLICE);
    if (native.firstChanged(root, Buffer.from(`${slice.join('\n')}\n`), quick.subarray(from * QUICK_FIELDS, (from + slice.length) * QUICK_FIELDS)) !== -1) return false;
  }
  return true;
}

/** Paths per native call: the paths of a huge version joined into one string would pass V8's longest string. */
const SLICE = 1 << 16;

/** Whether each of `paths` still has its quick stamp (the `i`th in `quick` at `i * QUICK_FIELDS`), by the native lstat, a slice of paths per call. */
function quickMatches(native: NativeHelper, root: string, paths: readonly string[], quick: Float64Array): boolean[] {
  const out: boolean[] = [];
  for (let from = 0; from < paths.length; from += SLICE) {
    const slice = paths.slice(from, from + SLICE);
    const stats = native.statEntries(root, slice.join('\n'));
    const stamps = quick.subarray(from * QUICK_FIELDS, (from + slice.length) * QUICK_FIELDS);
    for (let i = 0; i < slice.length; i++) out.push(sameQuickAt(stats, stamps, i * QUICK_FIELDS));
  }
  return out;
}

/**
 * For each of `paths`, whether the file is still there with its quick stamp (the `i`th in `quick` at
 * `i * QUICK_FIELDS`), each folder on its way a real folder; with the native helper, in one call for all of them.
 */
export function stillThereQuick(root: string, paths: readonly string[], quick: Float64Array): boolean[] {
  const native = nativeHelper();
  if (native) return quickMatches(native, root, paths, quick);
  const folders = new Set<string>();
  return paths.map((p, i) => {
    if (!foldersStay(root, p, folders)) return false;
    const st = fs.lstatSync(`${root}/${p}`, PLAIN);
    return st?.isFile() === true && sameQuick(st, quick, i * QUICK_FIELDS);
  });
}

/** Whether each folder of `entryPath` below `root` is a real folder (each looked at once, remembered in `seen`). */
function foldersStay(root: string, entryPath: string, seen: Set<string>): boolean {
  for (let slash = entryPath.indexOf('/'); slash > 0; slash = entryPath.indexOf('/', slash + 1)) {
    const folder = entryPath.slice(0, slash);
    if (seen.has(folder)) continue;
    if (!fs.lstatSync(`${root}/${folder}`, PLAIN)?.isDirectory()) return false;
    seen.add(folder);
  }
  return true;
}
