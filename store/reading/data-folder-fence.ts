import fs from 'node:fs';
import path from 'node:path';
import { workFoldersOf } from '../data-folder';
import { isInsideFolder } from '../paths';
import { UsageError } from '../../errors';

/**
 * A download never writes into, nor a checkout removes, the data folder (ARTIFACTS_HOME: the registry, the blobs,
 * the read cache). `artifacts checkout REF ~` with the data folder at `~/.artifacts` would otherwise remove it as a
 * stray, and a version holding `.artifacts/registry.db` would overwrite it.
 *
 * Refuses a target inside the data folder (before anything is created there), but for its work folders, where
 * steps and shards download their `uses` (see workFoldersOf). Otherwise returns where the data folder
 * sits below the target, as an entry-style path (`.artifacts`, `work/.artifacts`), or undefined when it is not below
 * it. Both are compared as real paths, so a link to either changes nothing.
 */
export function dataFolderBelow(target: string, dataFolder: string): string | undefined {
  const realTarget = realPathOf(path.resolve(target));
  const realData = realPathOf(path.resolve(dataFolder));
  if (isInsideFolder(realTarget, realData) && !workFoldersOf(realData).some((work) => isInsideFolder(realTarget, work))) {
    throw new UsageError(`Cannot download into ${target}: it is inside the data folder ${dataFolder} (ARTIFACTS_HOME), which holds the registry and the blobs. Choose a folder outside it.`);
  }
  if (!isInsideFolder(realData, realTarget)) return undefined;
  return path.relative(realTarget, realData).split(path.sep).join('/');
}

/** The error for an entry whose place is the data folder or inside it. */
export function intoDataFolder(entryPath: string, target: string, below: string): UsageError {
  return new UsageError(`Cannot download ${JSON.stringify(entryPath)} into ${target}: ${path.join(target, below)} is the data folder (ARTIFACTS_HOME), ` +
    'which a download never writes into. Download into another folder.');
}

/** The real path of `file`, or of its nearest existing folder with the rest of the path appended when it does not exist yet. */
function realPathOf(file: string): string {
  const rest: string[] = [];
  for (let at = file; ; at = path.dirname(at)) {
    try {
      // realpath(3): one call, where fs.realpathSync looks at each folder on the way in JavaScript.
      return path.join(fs.realpathSync.native(at), ...rest.reverse());
    } catch {
      if (path.dirname(at) === at) return file;
      rest.push(path.basename(at));
    }
  }
}
