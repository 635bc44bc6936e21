import { versionDigestOf, type ManifestTree } from '../store/manifest/manifest';
import type { CommitInput, CommitResult } from '../store/registry/registry';
import { changesToRecord } from '../store/recorded-changes';
import type { Store } from '../store/store';

/**
 * Commits a staged manifest as a version in one registry transaction. The idempotency key comes from the
 * workflow id, so a retried or replayed commit returns the version the first attempt made. A manifest that comes
 * without its version digest (a collaborative draft's, whose merges only edit the tree) is digested here, once.
 */
export function createCommitActivity(store: () => Promise<Store>) {
  return async function commitVersion(input: CommitActivityInput): Promise<CommitResult> {
    const s = await store();
    const { metadataDigest, manifest: tree, ...rest } = input;
    const manifest = { ...tree, digest: tree.digest ?? (await versionDigestOf(s.blobs, tree.root)) };
    // What changed since the latest version, for downloads beside it: read once here rather than by every download.
    const commit = { ...rest, manifest, delta: await changesToRecord(s, rest.name, tree) };
    if (!metadataDigest) return s.registry.commit(commit);
    // Metadata that came as a blob goes back without it too: the result is recorded in history, and the client
    // reads the committed metadata from the registry (withStoredMetadata).
    const result = await s.registry.commit({ ...commit, metadata: await s.getMetadata(metadataDigest) });
    return { ...result, version: { ...result.version, metadata: {} } };
  };
}

/** A commit whose metadata may be a blob (clients store it so history holds only its digest), and whose manifest may lack its digest. */
export interface CommitActivityInput extends Omit<CommitInput, 'manifest'> {
  readonly manifest: ManifestTree & { readonly digest?: string | undefined };
  readonly metadataDigest?: string | undefined;
}
