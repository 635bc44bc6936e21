import fs from 'node:fs';
import { foldersOf } from '../paths';

const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
/** See TargetFolder: on Linux a folder open as N is reached as `/proc/self/fd/N`, wherever it has moved. */
const PINNED = fs.existsSync('/proc/self/fd');

/**
 * Removes everything under the open folder `at` (a pinned path) that is not one of `keep` or a folder on the way
 * to one (nor `untouched`, nor a folder on the way to it), and returns the entry-style paths it removed (a removed folder is listed once, not its contents).
 * Nothing is followed: a link is itself removed, and each folder is entered by a descriptor opened with
 * O_NOFOLLOW, so what it removes is always below `at`.
 */
export function removeStrays(at: string, keep: ReadonlySet<string>, untouched?: string): string[] {
  return pruneStrays(at, keep, untouched, false);
}

/** What `removeStrays` would remove, removing nothing. */
export function listStrays(at: string, keep: ReadonlySet<string>, untouched?: string): string[] {
  return pruneStrays(at, keep, untouched, true);
}

function pruneStrays(at: string, keep: ReadonlySet<string>, untouched: string | undefined, dryRun: boolean): string[] {
  const folders = new Set<string>();
  for (const p of keep) for (const f of foldersOf(p)) folders.add(f);
  if (untouched !== undefined) for (const f of foldersOf(untouched)) folders.add(f);
  const removed: string[] = [];
  pruneFolder(at, '', { keep, folders, untouched, dryRun }, removed);
  return removed;
}

interface Keeping {
  readonly keep: ReadonlySet<string>;
  readonly folders: ReadonlySet<string>;
  /** A path left as it is, whatever it holds (the data folder), the folders on its way being in `folders`. */
  readonly untouched: string | undefined;
  /** List what would go, removing nothing. */
  readonly dryRun: boolean;
}

function pruneFolder(at: string, rel: string, keeping: Keeping, removed: string[]): void {
  const { keep, folders, untouched } = keeping;
  for (const d of fs.readdirSync(at, { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if ((keep.has(child) && !d.isDirectory()) || child === untouched) continue;
    if (d.isDirectory()) {
      const kept = folders.has(child);
      // A stray folder is listed once, not its contents: a dry run need not look inside it.
      if (kept || !keeping.dryRun) withFolder(`${at}/${d.name}`, (inner) => pruneFolder(inner, child, kept ? keeping : NOTHING, kept ? removed : []));
      if (kept) continue;
      if (!keeping.dryRun) fs.rmdirSync(`${at}/${d.name}`);
    } else if (!keeping.dryRun) {
      fs.unlinkSync(`${at}/${d.name}`);
    }
    removed.push(child);
  }
}

const NOTHING: Keeping = { keep: new Set(), folders: new Set(), untouched: undefined, dryRun: false };

/** Opens the folder at `at` without following a link, and works in it by its pinned name. */
export function withFolder(at: string, work: (pinned: string) => void): void {
  const fd = fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    work(PINNED ? `/proc/self/fd/${fd}` : at);
  } finally {
    fs.closeSync(fd);
  }
}
