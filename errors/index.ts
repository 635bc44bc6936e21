/**
 * Errors a user can hit. Each says what went wrong, where (artifact ref, path, file) and what to do, and
 * carries its context in readonly fields. `code` survives the trip through a Temporal failure (it becomes the
 * ApplicationFailure type), so a client rebuilds the same class from a failed workflow.
 */
export class ArtifactsError extends Error {
  /** Stable machine-readable name of the failure; also the Temporal ApplicationFailure type. */
  readonly code: string = 'ArtifactsError';
  /** Whether retrying the same operation could succeed. */
  readonly retryable: boolean = false;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown when an artifact entry name or a download path is not a safe, normalized relative POSIX path. */
export class InvalidPathError extends ArtifactsError {
  override readonly code = 'InvalidPathError';
  constructor(readonly path: string, readonly reason: string) {
    super(`Invalid artifact path ${JSON.stringify(path)}: ${reason}. Use a relative POSIX path such as "data/image1.png".`);
  }
}

/** Thrown when a local file or folder given to addFile/addDir/addReference cannot be read. */
export class LocalFileError extends ArtifactsError {
  override readonly code = 'LocalFileError';
  constructor(readonly localPath: string, readonly reason: string) {
    super(`Cannot add ${JSON.stringify(localPath)}: ${reason}. Check the path exists and is readable.`);
  }
}

/** Thrown when a ref such as `name:v3`, `name:alias` or `name@sha256` names nothing in the registry. */
export class ArtifactNotFoundError extends ArtifactsError {
  override readonly code = 'ArtifactNotFoundError';
  constructor(readonly ref: string, hint: string) {
    super(`Artifact ${JSON.stringify(ref)} not found. ${hint}`);
  }
}

/** Thrown when a ref string is malformed. */
export class InvalidRefError extends ArtifactsError {
  override readonly code = 'InvalidRefError';
  constructor(readonly ref: string, reason: string) {
    super(`Invalid artifact ref ${JSON.stringify(ref)}: ${reason}. Write name, name:v3, name:latest, name:<alias> or name@<digest>.`);
  }
}

/** Thrown for invalid alias names or alias edits that cannot apply. */
export class AliasError extends ArtifactsError {
  override readonly code = 'AliasError';
}

/** Thrown when logging to a name that already holds artifacts of another type. */
export class TypeMismatchError extends ArtifactsError {
  override readonly code = 'TypeMismatchError';
  constructor(readonly artifactName: string, readonly existingType: string, readonly requestedType: string) {
    super(`Artifact ${JSON.stringify(artifactName)} has type ${JSON.stringify(existingType)}, not ${JSON.stringify(requestedType)}. Use the existing type or another name.`);
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
export class PathClashError extends ArtifactsError {
  override readonly code = 'PathClashError';
  constructor(readonly file: string, readonly inner: string, where = '') {
    super(`Artifact paths ${JSON.stringify(file)} and ${JSON.stringify(inner)} clash${where}: ${JSON.stringify(file)} is a file, so it cannot also be the ` +
      `folder holding ${JSON.stringify(inner)}, and no file system could hold both when the version is downloaded. Rename or remove one of them.`);
  }
}

/** Thrown when a download would have to write through a symlink, or put a file where a folder is (or the reverse). */
export class UnsafeTargetError extends ArtifactsError {
  override readonly code = 'UnsafeTargetError';
  constructor(readonly localPath: string, readonly entryPath: string, reason: string) {
    super(`Cannot download ${JSON.stringify(entryPath)}: ${localPath} ${reason}. Remove or rename it, or download into an empty folder.`);
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

const byCode: Record<string, (message: string) => ArtifactsError> = {};
for (const cls of [ArtifactsError, AliasError, IntegrityError, ConfigError, NoWorkerError, UsageError]) {
  byCode[cls.name] = (message) => Object.assign(new cls(message), { message });
}

/**
 * Rebuilds an error from a code and message that crossed a process boundary (a Temporal failure).
 * Classes whose constructors take structured context come back as their base with the original message and code.
 */
export function reviveError(code: string, message: string): ArtifactsError {
  const make = byCode[code];
  if (make) return make(message);
  const err = new ArtifactsError(message);
  Object.defineProperty(err, 'code', { value: code });
  Object.defineProperty(err, 'name', { value: code });
  return err;
}
