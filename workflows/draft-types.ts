import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContributionOutcome, DraftIndex } from '../store/drafts/draft-merge';
import type { ManifestRef } from '../store/manifest/manifest';
import type { VersionRecord, WorkflowCaller } from '../store/registry/registry';
import type { StageSummary } from './types';

/** Seven days: how long a draft nobody finishes stays open by default. */
export const DEFAULT_DRAFT_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;


/** Settings of a draft, fixed by whichever writer starts it. */
export interface DraftOptions {
  /** How long the draft waits for a finish before it expires (default 7 days). */
  readonly expiresAfterMs?: number;
  /** Continue-as-new once this run's history has this many events (default 10,000; the server may suggest sooner). */
  readonly continueAsNewAfterEvents?: number;
  /** Continue-as-new after this many updates in one run (default 500; the server caps a run at 2,000). */
  readonly continueAsNewAfterUpdates?: number;
}

/** What a draft run starts from: its identity and settings, plus the state a previous run handed over. */
export interface DraftInput extends DraftOptions {
  readonly name: string;
  readonly type: string;
  readonly distributedId: string;
  readonly state?: DraftState;
}

/** How many files, and bytes, a draft holds: its folded and its pending trees together. */
export function draftTotals(index: DraftIndex): { files: number; bytes: number } {
  return { files: (index.files?.count ?? 0) + (index.pending?.count ?? 0), bytes: (index.files?.size ?? 0) + (index.pending?.size ?? 0) };
}

/** Everything a draft carries across continue-as-new: manifest references and counters, never file lists. */
export interface DraftState {
  readonly index: DraftIndex;
  readonly writers: number;
  readonly contributions: number;
  /** Workflow time (epoch ms) the draft opened and when it expires. */
  readonly openedAt: number;
  readonly expiresAt: number;
  /** How many runs came before this one. */
  readonly generation: number;
}

/** Contributions sent in one update: one per writer for an upsert, a batch for a fan-out. */
export interface ContributeRequest {
  readonly type: string;
  readonly contributions: readonly { readonly writer: string; readonly manifest: ManifestRef }[];
}

export interface FinishRequest {
  readonly type: string;
  readonly writer: string;
  /** The finishing writer's own files, if it has any. */
  readonly manifest?: ManifestRef;
  readonly aliases?: readonly string[];
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Digest of the metadata blob the client stored (instead of `metadata`, so history holds only the digest). */
  readonly metadataDigest?: string;
  readonly run?: string;
  /** The user's workflow that finished it from `temporal-artifacts/workflows` (lineage). */
  readonly caller?: WorkflowCaller;
}

/** Who aborts a draft (`artifacts drafts abort`): recorded in its result and told to writers it refuses. */
export interface AbortRequest {
  readonly by: string;
}

export interface FinishResult {
  readonly version: VersionRecord;
  /** False when the version existed already (a second finish, or content equal to latest). */
  readonly created: boolean;
}

/** What `artifacts drafts` shows, from the draft's status query. */
export interface DraftStatus {
  readonly name: string;
  readonly type: string;
  readonly distributedId: string;
  readonly writers: number;
  readonly contributions: number;
  readonly files: number;
  readonly bytes: number;
  readonly openedAt: string;
  readonly expiresAt: string;
  readonly state: 'open' | 'finishing' | 'committed' | 'expired' | 'aborted';
  readonly version?: string;
  readonly generation: number;
}

/** How a draft run ended: committed (with the version), expired (nobody finished it in time) or aborted. */
export type DraftResult =
  | { readonly status: 'committed'; readonly version: VersionRecord; readonly message: string }
  | { readonly status: 'aborted'; readonly name: string; readonly distributedId: string; readonly writers: number; readonly files: number; readonly abortedAt: string; readonly abortedBy: string; readonly message: string }
  | { readonly status: 'expired'; readonly name: string; readonly distributedId: string; readonly writers: number; readonly files: number; readonly expiredAt: string; readonly message: string };

/** Where the draft lives, so an activity can reach it with update-with-start. */
export interface DraftAddress {
  readonly workflowId: string;
  readonly taskQueue: string;
  readonly input: DraftInput;
}

/** Input of the workflow behind `run.upsertArtifact` and `run.finishArtifact`. */
export interface UpsertArtifactInput {
  readonly name: string;
  readonly type: string;
  readonly distributedId: string;
  readonly writer: string;
  /** Digest of the writer's spec blob; absent when a finishing run adds no files. */
  readonly specDigest?: string;
  readonly hostQueue: string;
  /** The writer process's own queue, tried first (see StagedVersionInput). */
  readonly processQueue?: string;
  readonly heartbeatTimeoutMs?: number;
  readonly scheduleToStartTimeoutMs?: number;
  readonly draft?: DraftOptions;
  /** Present for finish: commit after contributing. */
  readonly finish?: Omit<FinishRequest, 'type' | 'writer' | 'manifest'>;
}

export interface UpsertArtifactResult {
  readonly outcome: ContributionOutcome | null;
  /** What staging this writer's files did, including the paths it skipped (empty when it brought no files). */
  readonly stage: StageSummary;
  /** Set when the call finished the draft. */
  readonly finished?: FinishResult;
}

/** The draft workflow's messages, defined beside its types so that clients query it without loading workflow code. */
export const contributeUpdate = defineUpdate<ContributionOutcome[], [ContributeRequest]>('contribute');
export const finishUpdate = defineUpdate<FinishResult, [FinishRequest]>('finish');
export const draftStatusQuery = defineQuery<DraftStatus>('status');
/** Ends an open draft without a commit; answers with how it ended (aborted, or the commit that came first). */
export const abortUpdate = defineUpdate<DraftResult, [AbortRequest]>('abort');

export type { ContributionOutcome, DraftIndex };
