import type { VersionRecord } from '../store/registry';
import type { StageSummary } from './types';

/** Input of the incremental workflow: digests and numbers only, never file lists or manifests. */
export interface IncrementalInput {
  readonly name: string;
  readonly type: string;
  /** The version the draft was made from, and its manifest root. */
  readonly baseIndex: number;
  readonly baseRoot: string;
  /** Digest of the draft's spec blob (its operations in order). */
  readonly specDigest: string;
  /** Task queue of the host that has the added files; staging runs there. */
  readonly hostQueue: string;
  readonly aliases?: readonly string[];
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly run?: string;
  readonly heartbeatTimeoutMs?: number;
}

/** Entries the new version added, removed and modified relative to its base. */
export interface ChangeCounts {
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
}

export interface IncrementalResult {
  readonly version: VersionRecord;
  /** False when the result equalled `latest`, which is returned instead. */
  readonly created: boolean;
  /** `vN` the draft was made from. */
  readonly basedOn: string;
  /** `vN` that was `latest` when this one was committed; differs from basedOn when others committed meanwhile. */
  readonly previousLatest: string;
  readonly baseWasLatest: boolean;
  readonly changes: ChangeCounts;
  readonly stage: StageSummary;
  /** Manifest chunks written for the new version (its new metadata), and their bytes. */
  readonly chunksWritten: number;
  readonly chunkBytes: number;
}
