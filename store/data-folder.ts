import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { errnoOf, permanentFileReason } from '../errors/file-errors';

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
  try {
    fs.mkdirSync(home, { recursive: true });
  } catch (err) {
    throw unusableDataFolder(home, err);
  }
  try {
    fs.writeFileSync(path.join(home, DATA_FOLDER_MARK), TEXT, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** A data folder that cannot be made, as one sentence naming it and the setting (other errors unchanged). */
function unusableDataFolder(home: string, err: unknown): unknown {
  const e = errnoOf(err);
  const reason = e?.code === 'EEXIST' || e?.code === 'ENOTDIR' ? 'a file is in the way of it' : permanentFileReason(e?.code);
  if (reason === undefined) return err;
  return new ConfigError(`The data folder ${home} (ARTIFACTS_HOME) cannot be created: ${reason}${e?.path && e.path !== home ? ` (${e.path})` : ''}. ` +
    'Set ARTIFACTS_HOME to a folder this user may write, or remove what is in the way.');
}

/** Fan-out shards' and pipeline steps' scratch folders, into which their `uses` are downloaded. */
export function scratchFolderOf(home: string): string {
  return path.join(home, 'scratch');
}

/** Pipeline runs' folders (`<home>/runs/<run id>/<step>`): each step's inputs, outputs and logs. */
export function runsFolderOf(home: string): string {
  return path.join(home, 'runs');
}

/** The folders of the data folder that hold users' work rather than the store's: downloads may go there. */
export function workFoldersOf(home: string): string[] {
  return [scratchFolderOf(home), runsFolderOf(home)];
}
