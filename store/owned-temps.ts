import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Temp file names that say whose they are: `<kind><host>-<pid>-<uuid>`, `<host>` a short hash of this host's name.
 * A process killed outright (SIGKILL, out of memory) cannot remove its temp files; the next process that writes
 * into that folder on this host removes those whose process is gone, and never a live one's (nor another host's,
 * on a shared folder). Used for a download's partial files and for the chunks a log writes into the blob store.
 */
const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);

/** A fresh temp name (a leaf) of `kind` for this process. */
export function ownedTempName(kind: string): string {
  return `${kind}${HOST}-${process.pid}-${randomUUID()}`;
}

/**
 * Removes from the folder at `at` the regular files of `kind` left by processes of this host that are gone. `list`
 * gives the folder's names that start with a prefix (the native helper's listing, which makes no string for the
 * others); without it the folder is read here.
 */
export function removeDeadOwners(at: string, kind: string, list?: (folder: string, prefix: string) => string[]): void {
  for (const name of deadOwners(at, kind, list)) {
    const file = `${at}/${name}`;
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) fs.rmSync(file, { force: true });
  }
}

/** The names in the folder at `at` of `kind` whose process, of this host, is gone (none when it cannot be listed). */
export function deadOwners(at: string, kind: string, list?: (folder: string, prefix: string) => string[]): string[] {
  const ours = `${kind}${HOST}-`;
  let names: string[];
  try {
    names = list ? list(at, ours) : fs.readdirSync(at);
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (!name.startsWith(ours)) return false;
    const pid = Number(name.slice(ours.length, name.indexOf('-', ours.length)));
    return Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
