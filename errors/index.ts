/**
 * Errors a user can hit. Each says what went wrong, where (artifact ref, path, file) and what to do, and carries
 * its context in readonly fields and in `details`, so it comes back from a workflow as the same class (see
 * `failure.ts`).
 */
import { ArtifactsError } from './artifacts-error';

export { ArtifactsError };
export * from './draft-errors';
export * from './run-errors';
export * from './dsl-errors';
export * from './version-errors';

/** Thrown when an artifact entry name or a download path is not a safe, normalized relative POSIX path. */
export class InvalidPathError extends ArtifactsError<{ path: string; reason: string }> {
  override readonly code = 'InvalidPathError';
  constructor(readonly path: string, readonly reason: string) {
    super(`Invalid artifact path ${JSON.stringify(path)}: ${reason}. Use a relative POSIX path such as "data/image1.png".`, { path, reason });
  }
}

/** Thrown when a local file or folder given to addFile/addDir/addReference cannot be read. */
export class LocalFileError extends ArtifactsError<{ localPath: string; reason: string }> {
  override readonly code = 'LocalFileError';
  constructor(readonly localPath: string, readonly reason: string) {
    super(`Cannot add ${JSON.stringify(localPath)}: ${reason}. Check the path exists and is readable.`, { localPath, reason });
  }
}

/** What to do about a full blob store: the default remedy of a StorageFullError. */
export const FREE_BLOB_STORE_SPACE = 'free space there, or set ARTIFACTS_HOME to a folder on a larger disk, then try again.';

/**
 * Thrown when a disk we write to is full (ENOSPC) or over quota (EDQUOT): the blob store's while a file is stored,
 * a download's target folder, or the read cache's. `remedy` says what to do about that place.
 * Retryable, since space may be freed meanwhile: the staging activity tries a few times, then reports it.
 */
export class StorageFullError extends ArtifactsError<{ location: string; localPath: string | null; errno: string; remedy: string }> {
  override readonly code = 'StorageFullError';
  override readonly retryable = true;
  /** About 7 seconds of backoff in all (1 + 2 + 4): time for a cleanup to finish, yet the user hears of it soon. */
  override readonly maxAttempts = 4;
  constructor(readonly location: string, readonly localPath: string | null, readonly errno: string, readonly remedy: string = FREE_BLOB_STORE_SPACE) {
    super(`No space left on the disk holding ${location}${localPath === null ? '' : ` while storing ${JSON.stringify(localPath)}`} (${errno}): ${remedy}`,
      { location, localPath, errno, remedy });
  }
}

/** Thrown when a ref such as `name:v3`, `name:alias` or `name@sha256` names nothing in the registry. */
export class ArtifactNotFoundError extends ArtifactsError<{ ref: string; hint: string }> {
  override readonly code = 'ArtifactNotFoundError';
  constructor(readonly ref: string, hint: string) {
    super(`Artifact ${JSON.stringify(ref)} not found. ${hint}`, { ref, hint });
  }
}

/** Thrown when a ref string is malformed. */
export class InvalidRefError extends ArtifactsError<{ ref: string; reason: string }> {
  override readonly code = 'InvalidRefError';
  constructor(readonly ref: string, reason: string) {
    super(`Invalid artifact ref ${JSON.stringify(ref)}: ${reason}. Write name, name:v3, name:latest, name:<alias> or name@<digest>.`, { ref, reason });
  }
}

/** Thrown for invalid alias names or alias edits that cannot apply. */
export class AliasError extends ArtifactsError {
  override readonly code = 'AliasError';
}

/** Thrown when logging to a name that already holds artifacts of another type. */
export class TypeMismatchError extends ArtifactsError<{ artifactName: string; existingType: string; requestedType: string }> {
  override readonly code = 'TypeMismatchError';
  constructor(readonly artifactName: string, readonly existingType: string, readonly requestedType: string) {
    super(`Artifact ${JSON.stringify(artifactName)} has type ${JSON.stringify(existingType)}, not ${JSON.stringify(requestedType)}. Use the existing type or another name.`,
      { artifactName, existingType, requestedType });
  }
}

/** Thrown when stored bytes do not hash to the digest they are stored under. */
export class IntegrityError extends ArtifactsError {
  override readonly code = 'IntegrityError';
}

/**
 * Thrown when a version would hold a file and a folder of the same name (`x` and `x/y`): no file system can hold
 * both, so such a version could never be downloaded.
 */
export class PathClashError extends ArtifactsError<{ file: string; inner: string; where: string }> {
  override readonly code = 'PathClashError';
  constructor(readonly file: string, readonly inner: string, where = '') {
    super(`Artifact paths ${JSON.stringify(file)} and ${JSON.stringify(inner)} clash${where}: ${JSON.stringify(file)} is a file, so it cannot also be the ` +
      `folder holding ${JSON.stringify(inner)}, and no file system could hold both when the version is downloaded. Rename or remove one of them.`, { file, inner, where });
  }
}

/** Thrown when a download would have to write through a symlink, or put a file where a folder is (or the reverse). */
export class UnsafeTargetError extends ArtifactsError<{ localPath: string; entryPath: string; reason: string }> {
  override readonly code = 'UnsafeTargetError';
  constructor(readonly localPath: string, readonly entryPath: string, reason: string) {
    super(`Cannot download ${JSON.stringify(entryPath)}: ${localPath} ${reason}. Remove or rename it, or download into an empty folder.`, { localPath, entryPath, reason });
  }
}

/** Thrown for bad configuration: unreachable servers, missing tools, malformed settings. */
export class ConfigError extends ArtifactsError {
  override readonly code = 'ConfigError';
}

/**
 * Thrown when no worker took up a write's file work within the schedule-to-start timeout
 * (ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS): nothing on that host polls its queue.
 */
export class NoWorkerError extends ArtifactsError {
  override readonly code = 'NoWorkerError';
}

/** Thrown for invalid arguments to an API call (empty names, bad metadata...). */
export class UsageError extends ArtifactsError {
  override readonly code = 'UsageError';
}
