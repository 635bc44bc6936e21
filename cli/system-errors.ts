/**
 * Node's file-system errors (`ENOENT: no such file or directory, open '...'`) as one sentence that names the path
 * and says what to do, for a path a user gave on the command line that is missing or of the wrong kind.
 */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist; check the path',
  EISDIR: 'is a folder where a file is needed; give a file',
  ENOTDIR: 'is a file where a folder is needed (or a folder on its way is a file); give a folder',
  EEXIST: 'already exists as a file where a folder is needed; remove it or give another path',
  EACCES: 'cannot be accessed (permission denied); check its permissions',
  EPERM: 'cannot be changed (operation not permitted); check its permissions',
  ENOSPC: 'cannot be written: the disk is full; free some space and try again',
  ENAMETOOLONG: 'has a name too long for the file system; choose a shorter one',
  ELOOP: 'goes through too many symbolic links; give the real path',
};

/** The sentence for a file-system error, or undefined when `err` is not one. */
export function describeSystemError(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path } = err as NodeJS.ErrnoException;
  const reason = code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined;
  return reason === undefined ? undefined : `${path ?? 'a path given'} ${reason}.`;
}
