import { changesBetween, decodeChanges, encodeChanges, type ChangesText } from './manifest/manifest-changes';
import { ChunkReader } from './manifest/manifest-cursor';
import type { DiffEntry } from './manifest/manifest-diff';
import type { ManifestTree } from './manifest/manifest';
import { composeChanges } from './manifest/change-chain';
import { deltaChain, latestManifestOf } from './registry/version-deltas';
import type { VersionRecord } from './registry/version-record';
import type { Store } from './store';

/**
 * Versions up to this many files record what changed since the version before them: the diff at commit reads at
 * most the leaves of two such manifests (about 2,000 each), once, where every download beside the earlier version
 * would read them again.
 */
const MOST_FILES = 250_000;
/**
 * Changes recorded at most (about 100 bytes each in the registry); a version that changes more is diffed by its
 * downloads, which then spend far more on placing the changed files than on the diff.
 */
const MOST_CHANGES = 2_000;
/**
 * Versions a download follows back, each through the changes recorded since the one before, to the version in the
 * folder (`dataset:latest` pulled again after a few commits); the changes so joined are kept to MOST_CHANGES too.
 */
const MOST_STEPS = 8;

/**
 * What a new version of `name` with manifest `tree` changes since the version `latest` names now, to record with it
 * (CommitInput's `delta`): a download of it into a folder that holds that version then reads neither manifest
 * (reading/beside-placed.ts). Undefined when there is none to record: no such version, the same tree, too many files
 * or changes, or a manifest that could not be read (the commit goes on; downloads then diff the manifests).
 */
export async function changesToRecord(store: Store, name: string, tree: ManifestTree): Promise<{ baseRoot: string; baseIndex: number; changes: ChangesText } | undefined> {
  try {
    const latest = await latestManifestOf(store.registry.db, name);
    if (!latest || latest.root === tree.root || latest.count > MOST_FILES || tree.count > MOST_FILES) return undefined;
    const changes = await changesBetween(new ChunkReader(store.blobs), latest.root, tree.root, MOST_CHANGES);
    return changes && { baseRoot: latest.root, baseIndex: latest.index, changes: encodeChanges(changes) };
  } catch {
    return undefined;
  }
}

/**
 * The changes recorded for `version` since the manifest `baseRoot`, in path order, if any (and readable): its own,
 * or those of the versions between joined (see deltaChain, composeChanges).
 */
export async function recordedChanges(store: Store, version: VersionRecord, baseRoot: string): Promise<DiffEntry[] | undefined> {
  const texts = await deltaChain(store.registry.db, version.name, version.index, baseRoot, MOST_STEPS);
  let joined: DiffEntry[] | undefined;
  for (const text of texts ?? []) {
    const changes = decodeChanges(text);
    joined = changes && (joined ? composeChanges(joined, changes) : changes);
    if (!joined || joined.length > MOST_CHANGES) return undefined;
  }
  return joined;
}
