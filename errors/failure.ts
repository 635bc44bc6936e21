/**
 * The one road a failure takes across Temporal. `toFailure` turns an error into the ApplicationFailure it travels
 * as: type = its code, details = [its fields], non-retryable unless its class says a retry can help. `fromFailure`
 * finds that failure in whatever chain comes back (workflow, child workflow, activity, update) and rebuilds the same
 * class with the same fields and message. Sandbox-safe: workflows, activities and the client all use this module.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { ArtifactsError } from './artifacts-error';
import {
  AliasError, ArtifactNotFoundError, ConfigError, IntegrityError, InvalidPathError, InvalidRefError, LocalFileError, NoWorkerError, StorageFullError,
  PathClashError, TypeMismatchError, UnsafeTargetError, UsageError,
} from './index';
import { DraftAbortedError, DraftCommittedError, DraftConflictError, DraftExpiredError, FanOutFailedError } from './draft-errors';
import { CommandFailedError, CommandStartError, PipelineFailedError, ShardFailedError } from './run-errors';
import { ExpressionError, PipelineError } from './dsl-errors';
import { ProtectedAliasError, StaleDraftError } from './version-errors';

/** Builds an error of one class from its details (and, for classes that hold nothing else, its message). */
type Reviver = (details: never, message: string) => ArtifactsError;

/** Every error class by code. A class missing here comes back as a plain ArtifactsError (a test checks none is). */
const REVIVERS: Readonly<Record<string, Reviver>> = {
  ArtifactsError: (_: object, message: string) => new ArtifactsError(message),
  AliasError: (_: object, message: string) => new AliasError(message),
  ConfigError: (_: object, message: string) => new ConfigError(message),
  IntegrityError: (_: object, message: string) => new IntegrityError(message),
  NoWorkerError: (_: object, message: string) => new NoWorkerError(message),
  UsageError: (_: object, message: string) => new UsageError(message),
  InvalidPathError: (d: InvalidPathError['details']) => new InvalidPathError(d.path, d.reason),
  LocalFileError: (d: LocalFileError['details']) => new LocalFileError(d.localPath, d.reason),
  StorageFullError: (d: StorageFullError['details']) => new StorageFullError(d.location, d.localPath, d.errno, d.remedy),
  ArtifactNotFoundError: (d: ArtifactNotFoundError['details']) => new ArtifactNotFoundError(d.ref, d.hint),
  InvalidRefError: (d: InvalidRefError['details']) => new InvalidRefError(d.ref, d.reason),
  TypeMismatchError: (d: TypeMismatchError['details']) => new TypeMismatchError(d.artifactName, d.existingType, d.requestedType),
  UnsafeTargetError: (d: UnsafeTargetError['details']) => new UnsafeTargetError(d.localPath, d.entryPath, d.reason),
  PathClashError: (d: PathClashError['details']) => new PathClashError(d.file, d.inner, d.where),
  DraftConflictError: (d: DraftConflictError['details']) => new DraftConflictError(d),
  DraftCommittedError: (d: DraftCommittedError['details']) => new DraftCommittedError(d),
  DraftExpiredError: (d: DraftExpiredError['details']) => new DraftExpiredError(d),
  DraftAbortedError: (d: DraftAbortedError['details']) => new DraftAbortedError(d),
  FanOutFailedError: (d: FanOutFailedError['details']) => new FanOutFailedError(d),
  PipelineFailedError: (d: PipelineFailedError['details']) => new PipelineFailedError(d),
  ShardFailedError: (d: ShardFailedError['details']) => new ShardFailedError(d.index, d.attempts, d.lastError),
  CommandFailedError: (d: CommandFailedError['details']) => new CommandFailedError(d),
  CommandStartError: (d: CommandStartError['details']) => new CommandStartError(d.what, d.program, d.reason),
  PipelineError: (d: PipelineError['details']) => new PipelineError(d.problems, d.rendered),
  ExpressionError: (d: ExpressionError['details'], message: string) => new ExpressionError(message, d.offset),
  ProtectedAliasError: (d: ProtectedAliasError['details']) => new ProtectedAliasError(d),
  StaleDraftError: (d: StaleDraftError['details']) => new StaleDraftError(d),
};

/** The codes `fromFailure` rebuilds as their own class. */
export const REVIVED_CODES: readonly string[] = Object.keys(REVIVERS);

export interface ToFailureOptions {
  /** The activity attempt that failed: a retryable error with `maxAttempts` is reported as final on its last one. */
  readonly attempt?: number;
  /** Overrides the class's retryability (an update's answer, for instance, is final whatever it holds). */
  readonly nonRetryable?: boolean;
}

/**
 * The ApplicationFailure an error crosses a Temporal boundary as. Anything that is not an ArtifactsError becomes one
 * with the most specific message in its cause chain.
 */
export function toFailure(err: unknown, options: ToFailureOptions = {}): ApplicationFailure {
  const domain = err instanceof ArtifactsError ? err : new ArtifactsError(innermostMessage(err));
  const lastAttempt = domain.maxAttempts !== undefined && (options.attempt ?? 1) >= domain.maxAttempts;
  return ApplicationFailure.create({
    message: domain.message,
    type: domain.code,
    details: [domain.details],
    nonRetryable: options.nonRetryable ?? (!domain.retryable || lastAttempt),
  });
}

/**
 * The domain error inside a failure chain, rebuilt as its own class with its fields; the error itself when the chain
 * holds none (a cancellation, a timeout, a terminated workflow). A failure type that is not one of ours comes back as
 * an ArtifactsError whose code is that type.
 */
export function fromFailure(err: unknown): unknown {
  for (let current: unknown = err; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    if (current instanceof ArtifactsError) return current;
    if (current instanceof ApplicationFailure && current.type) return revive(current.type, current.message, current.details?.[0]);
    if (current instanceof ActivityFailure && current.cause instanceof TimeoutFailure && current.cause.timeoutType === 'SCHEDULE_TO_START') return noWorker(current);
  }
  return err;
}

/** An activity nobody picked up within its schedule-to-start timeout: no worker polls that host's queue. */
function noWorker(failure: ActivityFailure): NoWorkerError {
  return new NoWorkerError(`No worker took up ${failure.activityType} within ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS, so nothing was stored and no version was made: start \`artifacts worker\` on the host that has the files (or use an in-process worker) and try again.`);
}

function revive(type: string, message: string, details: unknown): ArtifactsError {
  const fields = typeof details === 'object' && details !== null ? details : {};
  let err: ArtifactsError | undefined;
  try {
    // Own keys only: a type such as `constructor` or `toString` from the wire must not reach Object.prototype.
    err = Object.hasOwn(REVIVERS, type) ? REVIVERS[type]!(fields as never, message) : undefined;
  } catch {
    // Details of another shape (a failure recorded by an older version): keep the message and the code.
  }
  if (!err) {
    err = new ArtifactsError(message, fields);
    Object.defineProperty(err, 'code', { value: type });
    Object.defineProperty(err, 'name', { value: type });
  }
  // The sender's words, even where this side would phrase them differently.
  err.message = message;
  return err;
}

function innermostMessage(err: unknown): string {
  let message = String(err);
  for (let current: unknown = err; current instanceof Error; current = (current as { cause?: unknown }).cause) message = current.message;
  return message;
}
