import fs from 'node:fs';
import { nativeNameLister } from '../blobs/native';
import { ownedTempName, removeDeadOwners } from '../owned-temps';
import { withFolder } from './stray-files';

/**
 * The temp names a download writes files under, beside their place, before renaming them over it:
 * `.artifacts-partial-<host>-<pid>-<uuid>` (see owned-temps.ts). The next download writing into a folder removes
 * those of downloads killed outright; one interrupted by SIGINT or SIGTERM in the CLI removes its own as it exits.
 */
const PARTIAL = '.artifacts-partial-';

/** A fresh temp name (a leaf) for a file this process writes. */
export function partialName(): string {
  return ownedTempName(PARTIAL);
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

/** Removes from the folder open at `at` the temp files of downloads on this host whose process is gone. */
export function removeDeadPartials(at: string): void {
  removeDeadOwners(at, PARTIAL, nativeNameLister());
}

/**
 * Removes killed downloads' temp files from the folder open at `at` and from every folder below it, entered without
 * following a link; `untouched` (the data folder, by its path below) is left as it is.
 */
export function removeDeadPartialsBelow(at: string, untouched: string | undefined, rel = ''): void {
  removeDeadPartials(at);
  for (const d of fs.readdirSync(at, { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory() && child !== untouched) withFolder(`${at}/${d.name}`, (inner) => removeDeadPartialsBelow(inner, untouched, child));
  }
}
