import fs from 'node:fs';
import { LocalFileError } from '../../errors';

/** Stats a local file about to be stored; a missing path or anything but a regular file is a LocalFileError naming it. */
export function statSourceFile(localPath: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(localPath);
  } catch (err) {
    throw new LocalFileError(localPath, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : String(err));
  }
  if (!stat.isFile()) throw new LocalFileError(localPath, 'it is not a regular file');
  return stat;
}
