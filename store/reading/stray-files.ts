import fs from 'node:fs';
import { foldersOf } from '../paths';

const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
/** See TargetFolder: on Linux a folder open as N is reached as `/proc/self/fd/N`, wherever it has moved. */
const PINNED = fs.existsSync('/proc/self/fd');

/**
 * Removes everything under the open folder `at` (a pinned path) that is not one of `keep` or a folder on the way
 * to one, and returns the entry-style paths it removed (a removed folder is listed once, not its contents).
 * Nothing is followed: a link is itself removed, and each folder is entered by a descriptor opened with
 * O_NOFOLLOW, so what it removes is always below `at`.
 */
export function removeStrays(at: string, keep: ReadonlySet<string>): string[] {
  const folders = new Set<string>();
  for (const p of keep) for (const f of foldersOf(p)) folders.add(f);
  const removed: string[] = [];
  pruneFolder(at, '', keep, folders, removed);
  return removed;
}

function pruneFolder(at: string, rel: string, keep: ReadonlySet<string>, folders: ReadonlySet<string>, removed: string[]): void {
  for (const d of fs.readdirSync(at, { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (keep.has(child) && !d.isDirectory()) continue;
    if (d.isDirectory()) {
      const kept = folders.has(child);
      withFolder(`${at}/${d.name}`, (inner) => pruneFolder(inner, child, kept ? keep : EMPTY, kept ? folders : EMPTY, kept ? removed : []));
      if (kept) continue;
      fs.rmdirSync(`${at}/${d.name}`);
    } else {
      fs.unlinkSync(`${at}/${d.name}`);
    }
    removed.push(child);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function withFolder(at: string, work: (pinned: string) => void): void {
  const fd = fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    work(PINNED ? `/proc/self/fd/${fd}` : at);
  } finally {
    fs.closeSync(fd);
  }
}
