import type { CommitInput, CommitResult } from '../store/registry/registry';
import type { Store } from '../store/store';

/**
 * Commits a staged manifest as a version in one registry transaction. The idempotency key comes from the
 * workflow id, so a retried or replayed commit returns the version the first attempt made.
 */
export function createCommitActivity(store: () => Promise<Store>) {
  return async function commitVersion(input: CommitActivityInput): Promise<CommitResult> {
    const s = await store();
    const { metadataDigest, ...commit } = input;
    if (!metadataDigest) return s.registry.commit(commit);
    // Metadata that came as a blob goes back without it too: the result is recorded in history, and the client
    // reads the committed metadata from the registry (withStoredMetadata).
    const result = await s.registry.commit({ ...commit, metadata: await s.getMetadata(metadataDigest) });
    return { ...result, version: { ...result.version, metadata: {} } };
  };
}

/** A commit whose metadata may be a blob (clients store it so history holds only its digest). */
export interface CommitActivityInput extends CommitInput {
  readonly metadataDigest?: string | undefined;
}
