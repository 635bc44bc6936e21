/**
 * Errors of collaborative drafts and fan-outs. Each is raised inside a workflow and built from its `details`
 * alone, so `fromFailure` rebuilds the same class, fields included, on the caller's side.
 */
import { ArtifactsError } from './artifacts-error';

export interface ConflictDetails {
  readonly artifactName: string;
  readonly distributedId: string;
  readonly path: string;
  /** The writer whose upsert was refused. */
  readonly writer: string;
  readonly digest: string;
  /** The writer that added the path first, or undefined when it came from a committed version. */
  readonly otherWriter: string;
  readonly otherDigest: string;
  /** Set when the conflict is a file/folder clash: the other writer's path, a file at a folder of `path` or inside `path`. */
  readonly otherPath?: string;
}

/**
 * Thrown to a writer whose upsert puts different bytes at a path another writer of the same draft already filled,
 * or a file where another writer put a folder of that name (or the reverse).
 */
export class DraftConflictError extends ArtifactsError<ConflictDetails> {
  override readonly code = 'DraftConflictError';
  constructor(details: ConflictDetails) {
    super(conflictMessage(details), details);
  }
}

function conflictMessage(d: ConflictDetails): string {
  const where = `Conflict in draft ${JSON.stringify(d.artifactName)} (distributedId ${JSON.stringify(d.distributedId)}): writer ${JSON.stringify(d.writer)} upserted ${JSON.stringify(d.path)}`;
  if (d.otherPath === undefined) {
    return `${where} with digest ${shortDigest(d.digest)}, but writer ${JSON.stringify(d.otherWriter)} already added it with digest ` +
      `${shortDigest(d.otherDigest)}. Give one of the files another name, or make both writers produce the same bytes; nothing of this upsert was merged.`;
  }
  const [file, inner] = d.path.startsWith(`${d.otherPath}/`) ? [d.otherPath, d.path] : [d.path, d.otherPath];
  return `${where}, but writer ${JSON.stringify(d.otherWriter)} already added ${JSON.stringify(d.otherPath)}: ${JSON.stringify(file)} would be a file and ` +
    `also the folder holding ${JSON.stringify(inner)}, which no file system can hold. Rename one of them; nothing of this upsert was merged.`;
}

export interface CommittedDetails {
  readonly artifactName: string;
  readonly distributedId: string;
  /** `name:vN` of the version the draft became. */
  readonly version: string;
  readonly writer: string;
}

/** Thrown to an upsert (or a finish that brings new files) arriving after the draft was committed. */
export class DraftCommittedError extends ArtifactsError<CommittedDetails> {
  override readonly code = 'DraftCommittedError';
  constructor(details: CommittedDetails) {
    super(`Draft ${JSON.stringify(details.artifactName)} (distributedId ${JSON.stringify(details.distributedId)}) was already committed as ` +
      `${details.version}; writer ${JSON.stringify(details.writer)} cannot add to it. Log a new version, or use another distributedId.`, details);
  }
}

export interface ExpiredDetails {
  readonly artifactName: string;
  readonly distributedId: string;
  /** ISO time the draft expired. */
  readonly expiredAt: string;
  readonly writer: string;
}

/** Thrown to a call that reaches a draft in the moment it expires (nobody finished it in time). */
export class DraftExpiredError extends ArtifactsError<ExpiredDetails> {
  override readonly code = 'DraftExpiredError';
  constructor(details: ExpiredDetails) {
    super(`Draft ${JSON.stringify(details.artifactName)} (distributedId ${JSON.stringify(details.distributedId)}) expired at ${details.expiredAt} ` +
      `without a finish; writer ${JSON.stringify(details.writer)} was refused. Upsert again to start a new draft.`, details);
  }
}

export interface AbortedDetails {
  readonly artifactName: string;
  readonly distributedId: string;
  /** ISO time the draft was aborted, and who aborted it. */
  readonly abortedAt: string;
  readonly abortedBy: string;
  readonly writer: string;
}

/** Thrown to a call that reaches a draft as it is aborted (`artifacts drafts abort`): nothing of it is committed. */
export class DraftAbortedError extends ArtifactsError<AbortedDetails> {
  override readonly code = 'DraftAbortedError';
  constructor(details: AbortedDetails) {
    super(`Draft ${JSON.stringify(details.artifactName)} (distributedId ${JSON.stringify(details.distributedId)}) was aborted by ${details.abortedBy} at ` +
      `${details.abortedAt}; writer ${JSON.stringify(details.writer)} was refused and nothing of the draft was committed. Upsert again to start a new draft.`, details);
  }
}

export interface FailedShard {
  readonly index: number;
  readonly error: string;
}

export interface FanOutFailureDetails {
  readonly artifactName: string;
  readonly distributedId: string;
  readonly shards: number;
  readonly succeeded: number;
  readonly minSuccessRatio: number;
  /** Every failed shard index, in order. */
  readonly failedShards: readonly number[];
  /** The error of the first failed shards (capped, to keep payloads small). */
  readonly errors: readonly FailedShard[];
}

/** Thrown when more shards failed, after their retries, than the fan-out's minimum success ratio allows. */
export class FanOutFailedError extends ArtifactsError<FanOutFailureDetails> {
  override readonly code = 'FanOutFailedError';
  constructor(details: FanOutFailureDetails) {
    const d = details;
    const first = d.errors[0];
    super(`Fan-out for ${JSON.stringify(d.artifactName)} (distributedId ${JSON.stringify(d.distributedId)}) failed: ${d.failedShards.length} of ${d.shards} ` +
      `shards failed (shards ${d.failedShards.slice(0, 10).join(', ')}${d.failedShards.length > 10 ? ', ...' : ''}), and at least ` +
      `${Math.ceil(d.minSuccessRatio * d.shards)} had to succeed. ${first ? `Shard ${first.index}: ${first.error} ` : ''}` +
      'Fix the failing shards and run the fan-out again with the same id: the draft is still open, and outputs it already holds are not added twice.', details);
  }
}

/** A digest in a message: its algorithm (bare hex is SHA-256, from older versions) and twelve hex digits. */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? `sha256:${digest.slice(0, 12)}` : digest.slice(0, colon + 13);
}
