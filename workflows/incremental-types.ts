import type { VersionRecord } from '../store/registry/registry';
import type { StagedVersionInput, StageSummary } from './types';

/** Input of the incremental workflow: digests and numbers only, never file lists or manifests. The spec holds the draft's operations in order. */
export interface IncrementalInput extends StagedVersionInput {
  /** The version the draft was made from, and its manifest root. */
  readonly baseIndex: number;
  readonly baseRoot: string;
  /**
   * When the base is no longer `latest` and the draft changes paths changed since: fail (default, `rebase`) or
   * commit on the old base (`branch`). Disjoint changes always apply on top of `latest`.
   */
  readonly onStale?: 'rebase' | 'branch';
}

/** Entries the new version added, removed and modified relative to its base. */
export interface ChangeCounts {
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
}

export interface IncrementalResult {
  readonly version: VersionRecord;
  /** False when the result equalled an existing version, which is returned instead. */
  readonly created: boolean;
  /** `vN` the draft was made from. */
  readonly basedOn: string;
  /** `vN` that was `latest` when this one was committed; differs from basedOn when others committed meanwhile. */
  readonly previousLatest: string;
  readonly baseWasLatest: boolean;
  /** `vN` the changes were applied on when the base was no longer latest (null when applied on the base). */
  readonly rebasedOnto: string | null;
  /** True when the draft overlapped newer changes and was committed on its old base, as `onStale: 'branch'` asks. */
  readonly branched: boolean;
  /** The paths changed both by the draft and since its base (the first few), when branched. */
  readonly overlapping: readonly string[];
  readonly changes: ChangeCounts;
  readonly stage: StageSummary;
  /** Manifest chunks written for the new version (its new metadata), and their bytes. */
  readonly chunksWritten: number;
  readonly chunkBytes: number;
}
