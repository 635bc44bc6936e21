import type { VersionRecord } from '../store/registry/registry';
import type { Store } from '../store/store';

/**
 * How a client passes a version's metadata to its workflow: as the digest of a blob (none when there is no
 * metadata), so workflow history never carries it; too large metadata is refused here, before anything starts.
 */
export async function metadataRef(store: Store, metadata: Readonly<Record<string, unknown>>, of: string): Promise<{ metadataDigest?: string }> {
  if (Object.keys(metadata).length === 0) return {};
  return { metadataDigest: await store.putMetadata(metadata, of) };
}

/** The version with the metadata the registry holds: a commit given a metadata blob returns none (see commitVersion). */
export async function withStoredMetadata(store: Store, version: VersionRecord): Promise<VersionRecord> {
  return { ...version, metadata: (await store.registry.resolve(`${version.name}:${version.version}`)).metadata };
}
