import fs from 'node:fs';
import path from 'node:path';

/**
 * The file that marks a data folder (ARTIFACTS_HOME: registry, blobs, caches, the embedded server's files). A walk
 * of files to log leaves out any folder holding it (see staging/sorted-walk.ts): a data folder changes while it is
 * read, and logging it into itself would never end well.
 */
export const DATA_FOLDER_MARK = '.artifacts-data-folder';

const TEXT = 'This folder is the data folder of temporal-artifacts (ARTIFACTS_HOME): its registry, blobs and caches.\n' +
  'Logging a folder never includes it, and downloads never write into it.\n';

/** Creates the data folder if needed and marks it (once: an existing mark is kept). */
export function markDataFolder(home: string): void {
  fs.mkdirSync(home, { recursive: true });
  try {
    fs.writeFileSync(path.join(home, DATA_FOLDER_MARK), TEXT, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The folders of the data folder that hold users' work rather than the store's: downloads may go there. */
const WORK_FOLDERS = ['scratch', 'runs'] as const;

/** Fan-out shards' and pipeline steps' scratch folders, into which their `uses` are downloaded. */
export function scratchFolderOf(home: string): string {
  return path.join(home, 'scratch');
}

/** Pipeline runs' folders (`<home>/runs/<run id>/<step>`): each step's inputs, outputs and logs. */
export function runsFolderOf(home: string): string {
  return path.join(home, 'runs');
}

/** Whether `file` (a real path) is in one of the work folders of the data folder `home` (a real path). */
export function inWorkFolder(file: string, home: string): boolean {
  return WORK_FOLDERS.some((name) => {
    const rel = path.relative(path.join(home, name), file);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}
