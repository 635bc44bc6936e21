import { ChunkReader } from '../manifest/manifest-cursor';
import { diffManifests } from '../manifest/manifest-diff';
import type { ManifestEntry } from '../manifest/manifest';
import { resolveInside } from '../paths';
import { recordedChanges } from '../recorded-changes';
import type { VersionRecord } from '../registry/version-record';
import type { Store } from '../store';
import { stillPlaced } from './placed-check';
import { placedBytes } from './state-table';
import type { StatCache } from './stat-cache';

/** What a download places, and what it then holds in scope. */
export interface DownloadPlan {
  /** The entries to place (each looked at: it may be in place already). */
  readonly toPlace: readonly ManifestEntry[];
  /** Every path of the version in scope, once placed. */
  readonly paths: readonly string[];
  readonly bytes: number;
  /** Files of the version known to be in place without being looked at again (they are in `paths`, not in `toPlace`). */
  readonly unchanged: number;
}

/**
 * The plan of a download of `version` into a folder where a download placed another version in full, under the same
 * path prefix, and every file of it is still as it left it (one stat each): only what was added or changed is placed.
 * What changed is what the commit recorded when that other version was the latest (recorded-changes.ts: no manifest
 * is read), else what differs between the two manifests (diffManifests skips every subtree they share, so a change in
 * one folder reads the chunks on its way and no other). A download of a new version of a dataset where the last one
 * is then costs the check of the files in place plus work in proportion to the change. Undefined when this road does
 * not apply (nothing placed there in full, another prefix, a file changed since): the download then reads the whole
 * manifest.
 */
export async function besidePlaced(store: Store, cache: StatCache, folder: { directory: string; absolute: string }, version: VersionRecord, prefix: string): Promise<DownloadPlan | undefined> {
  const root = version.manifest.root;
  const last = cache.lastPlaced;
  if (!last || last.prefix !== prefix || last.root === root) return undefined;
  const placed = cache.placedFiles(last.root, prefix);
  if (!placed || !stillPlaced(folder.absolute, placed)) return undefined;
  let bytes = placedBytes(placed);
  const toPlace: ManifestEntry[] = [];
  const gone = new Set<string>();
  const added: string[] = [];
  for await (const d of (await recordedChanges(store, version, last.root)) ?? diffManifests(new ChunkReader(store.blobs), last.root, root)) {
    if (!d.path.startsWith(prefix)) continue;
    if (d.kind !== 'added') bytes -= d.before.size;
    if (d.kind === 'removed') {
      gone.add(d.path);
      continue;
    }
    // Proved to stay inside before anything is written, as every path of a full download is.
    resolveInside(folder.absolute, d.path);
    toPlace.push(d.after);
    if (d.kind === 'added') added.push(d.path);
    bytes += d.after.size;
  }
  const paths = gone.size === 0 && added.length === 0 ? placed.paths : [...placed.paths.filter((p) => !gone.has(p)), ...added];
  return { toPlace, paths, bytes, unchanged: paths.length - toPlace.length };
}
