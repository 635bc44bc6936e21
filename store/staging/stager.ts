import type { Store } from '../store';
import type { ArtifactSpec } from './spec';
import { resolveSpec } from './sources';
import { isStreamable, sortedSources, streamSources } from './source-stream';
import { expandReferences } from '../references/expand';
import { Staging } from './staging';
import type { StageOptions, StageResult } from './stage-types';
import type { SkippedPath } from './walk';
import { withStagingHeapGrowth } from './heap-growth';

export type { DoneFile, StageCursor, StageOptions, StageProgress, StageResult } from './stage-types';

/**
 * Applies a spec's operations in order (a later add of the same path replaces the earlier one; remove drops a
 * path or a whole folder prefix), then hashes and stores every file once, writing the manifest tree as it goes.
 * A spec without removals is staged as a stream (folders walked in path order), so memory does not grow with the
 * number of files; one with removals is resolved in memory first. A retry resumes after its progress's cursor.
 * While it runs, V8's old generation grows slowly (`heap-growth.ts`), so dead per-file records do not pile up.
 */
export function stageSpec(store: Store, spec: ArtifactSpec, options: StageOptions = {}): Promise<StageResult> {
  return withStagingHeapGrowth(() => stageStream(store, spec, options));
}

async function stageStream(store: Store, spec: ArtifactSpec, options: StageOptions): Promise<StageResult> {
  const skipped: SkippedPath[] = [];
  const expanded = await expandReferences(spec);
  const after = options.resume?.cursor?.path;
  const sources = isStreamable(expanded) ? streamSources(expanded, skipped, after) : sortedSources(resolveSpec(expanded, skipped), after);
  const staging = await Staging.open(store, options);
  const manifest = await staging.storeAll(sources);
  return { manifest, files: manifest.count, skipped, ...staging.totals() };
}
