import type { CommitInput, CommitResult } from '../store/registry/registry';
import type { Store } from '../store/store';

/**
 * Commits a staged manifest as a version in one registry transaction. The idempotency key comes from the
 * workflow id, so a retried or replayed commit returns the version the first attempt made.
 */
export function createCommitActivity(store: () => Promise<Store>) {
  return async function commitVersion(input: CommitInput): Promise<CommitResult> {
    const s = await store();
    return s.registry.commit(input);
  };
}
