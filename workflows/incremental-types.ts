import type { VersionRecord } from '../store/registry/registry';
import type { StagedVersionInput, StageSummary } from './types';

/** Input of the incremental workflow: digests and numbers only, never file lists or manifests. The spec holds the draft's operations in order. */
export interface IncrementalInput extends StagedVersionInput {
  /** The version the draft was made from, and its manifest root. */
  readonly baseIndex: number;
  readonly baseRoot: string;
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
