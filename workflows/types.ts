import type { Producer, VersionRecord, WorkflowCaller } from '../store/registry/registry';
import type { StageResult } from '../store/staging/stager';

/** What every workflow that stages a writer's files and commits a version takes: references, never file lists. */
export interface StagedVersionInput {
  readonly name: string;
  readonly type: string;
  /** Digest of the spec blob the client recorded (what to add and remove). */
  readonly specDigest: string;
  /** Task queue of the host that has the files; staging runs there. */
  readonly hostQueue: string;
  /** The writer process's own queue, tried first; staging moves to `hostQueue` if no worker polls it (it died). */
  readonly processQueue?: string;
  readonly aliases?: readonly string[];
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Digest of the metadata blob the client stored (instead of `metadata`, so history holds only the digest). */
  readonly metadataDigest?: string;
  /** The user-level run that logs it (lineage). */
  readonly run?: string;
  /** The user's workflow that asked for it from `temporal-artifacts/workflows` (lineage). */
  readonly caller?: WorkflowCaller;
  /** Lets gc delete the version this long after its commit (absent: its type's default TTL, if any). */
  readonly ttlMs?: number;
  /** How long a staging attempt may go without a heartbeat before Temporal retries it elsewhere on the host. */
  readonly heartbeatTimeoutMs?: number;
  /** How long each staging attempt may wait for a worker on the host queue before the write fails (default: no limit). */
  readonly scheduleToStartTimeoutMs?: number;
}

/** Input of the simple-mode log workflow. */
export interface LogArtifactInput extends StagedVersionInput {
  /** Versions this one was made from (lineage), e.g. a pipeline step's `uses`. */
  readonly uses?: readonly { readonly name: string; readonly index: number }[];
}

export type StageSummary = Omit<StageResult, 'manifest'>;

export interface LogArtifactResult {
  readonly version: VersionRecord;
  /** False when the content equalled latest and the existing version was returned. */
  readonly created: boolean;
  readonly stage: StageSummary;
}

export type { Producer, VersionRecord, WorkflowCaller };
