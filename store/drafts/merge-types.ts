import type { ManifestRef, ManifestTree } from '../manifest/manifest';

/** One writer's part of a collaborative draft: the manifest its staging wrote (a reference, never the file list). */
export interface Contribution {
  readonly writer: string;
  readonly manifest: ManifestRef;
}

/**
 * What a draft holds, as manifest trees in the blob store: its files are `files` and `pending` together (no path is
 * in both), `writers` has one entry per accepted contribution, keyed `<URI-encoded writer>/<contribution digest>`,
 * whose digest field is the contribution's manifest root. Accepted entries gather in the small `pending` tree and
 * are folded into `files` once `FOLD_AT` of them have gathered, and at the commit (`settleDraft`): a batch then
 * rewrites a few chunks of a small tree, not its paths' chunks at every level of a big one. After settling, `files`
 * becomes the version as is (its version digest is taken at the commit, as it reads every leaf). Trees are null
 * while empty; drafts of earlier releases have no `pending` (and may carry a digest).
 */
export interface DraftIndex {
  readonly files: ManifestTree | null;
  readonly writers: ManifestTree | null;
  readonly pending?: ManifestTree | null;
}

export type ContributionOutcome =
  | { readonly writer: string; readonly status: 'merged'; readonly added: number }
  | { readonly writer: string; readonly status: 'duplicate' }
  | ConflictOutcome;

/**
 * A refused contribution: its entry at `path` holds other bytes than the draft's (`otherWriter` put them there), or
 * clashes with the draft's `otherPath`: one is a file and the other lies inside a folder of that name.
 */
export interface ConflictOutcome {
  readonly writer: string;
  readonly status: 'conflict';
  readonly path: string;
  readonly digest: string;
  readonly otherWriter: string;
  readonly otherDigest: string;
  readonly otherPath?: string;
}

export interface MergeResult {
  readonly index: DraftIndex;
  /** One per contribution, in the order given. */
  readonly outcomes: readonly ContributionOutcome[];
  /** Writers merged for the first time by this call. */
  readonly newWriters: number;
}
