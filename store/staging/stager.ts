import { ManifestWriter, type ManifestEntry, type ManifestRef } from '../manifest/manifest';
import type { Store } from '../store';
import type { ArtifactSpec } from './spec';
import { resolveSpec } from './sources';
import { expandReferences } from '../references/expand';
import { Staging } from './staging';
import type { StageOptions, StageResult } from './stage-types';
import type { SkippedPath } from './walk';

export type { DoneFile, StageOptions, StageProgress, StageResult } from './stage-types';

/**
 * Applies a spec's operations in order (a later add of the same path replaces the earlier one; remove drops a
 * path or a whole folder prefix), then hashes and stores every file once, and writes the manifest tree.
 */
export async function stageSpec(store: Store, spec: ArtifactSpec, options: StageOptions = {}): Promise<StageResult> {
  const skipped: SkippedPath[] = [];
  const staging = new Staging(store, resolveSpec(await expandReferences(spec), skipped), options);
  const entries = await staging.storeAll();
  const manifest = await writeManifest(store, entries);
  return { manifest, files: entries.length, skipped, ...staging.totals() };
}

async function writeManifest(store: Store, entries: readonly ManifestEntry[]): Promise<ManifestRef> {
  const writer = new ManifestWriter(store.blobs);
  for (const entry of entries) await writer.add(entry);
  return writer.finish();
}
