import { ConfigError, StorageFullError } from '../../errors';
import { errnoOf, isDiskFull, permanentFileReason } from '../../errors/file-errors';
import { isInsideFolder } from '../paths';
import { localFailure } from './source-file';

/**
 * The user-facing error for a file-system error met while storing `localPath` into the local blob store at `root`:
 * a full disk, a store folder this process cannot write, or a source file it cannot read. Anything else (EIO, EMFILE,
 * EAGAIN...) is returned unchanged, for a retry to try again.
 */
export function storingFailure(err: unknown, root: string, localPath: string | null): unknown {
  const errno = errnoOf(err);
  if (!errno) return err;
  if (isDiskFull(errno.code)) return new StorageFullError(root, localPath, errno.code);
  const reason = permanentFileReason(errno.code);
  if (reason && (localPath === null || (errno.path !== undefined && isInsideFolder(errno.path, root)))) {
    return new ConfigError(`The blob store at ${root} cannot be written: ${reason} (${errno.code}). Make it writable by this worker's user, or set ARTIFACTS_HOME to a folder it can write.`);
  }
  return localPath === null ? err : localFailure(Object.assign(err as Error, { localPath }));
}
