import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/**
 * The temp names a download writes files under, beside their place, before renaming them over it:
 * `.artifacts-partial-<host>-<pid>-<uuid>`, `<host>` a short hash of this host's name. A download that was killed
 * (SIGKILL, out of memory, a lost machine) cannot remove its own; the name says whose it was, so the next download
 * writing into that folder on this host removes those whose process is gone, and never a live download's (nor one
 * of another host sharing the folder). One interrupted by SIGINT or SIGTERM in the CLI removes its own as it exits.
 */
const PREFIX = '.artifacts-partial-';
const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
const OURS = `${PREFIX}${HOST}-`;

/** A fresh temp name (a leaf) for a file this process writes. */
export function partialName(): string {
  return `${OURS}${process.pid}-${randomUUID()}`;
}

/** The temp files this process has open in target folders, by path: removed if the process exits meanwhile. */
const live = new Set<string>();
let hooked = false;

/** Marks `file` as being written; `done` when it was renamed into place or removed. */
export function livePartial(file: string): { done(): void } {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeLivePartials);
  }
  live.add(file);
  return { done: () => live.delete(file) };
}

/** Removes the temp files this process is writing (called as it exits: nothing else will). */
export function removeLivePartials(): void {
  for (const file of live) fs.rmSync(file, { force: true });
  live.clear();
}

/**
 * Removes from the folder open at `at` the temp files of downloads on this host whose process is gone. Only
 * regular files so named: anything else is left alone.
 */
export function removeDeadPartials(at: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(at);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(OURS)) continue;
    const pid = Number(name.slice(OURS.length, name.indexOf('-', OURS.length)));
    if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    const file = `${at}/${name}`;
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) fs.rmSync(file, { force: true });
  }
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
