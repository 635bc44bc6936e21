import type { ManifestEntry } from '../manifest/manifest-chunk';
import { ChunkReader } from '../manifest/manifest-cursor';
import { editManifest, type EditResult, type ManifestEdit } from '../manifest/manifest-edit';
import { entriesUnder, findClash, isUnder } from '../manifest/manifest-lookup';
import { readManifest } from '../manifest/manifest';
import { comparePaths } from '../paths';
import type { ArtifactSpec, SpecOp } from '../staging/spec';
import { stageSpec, type StageOptions, type StageResult } from '../staging/stager';
import type { Store } from '../store';
import { PathClashError, UsageError } from '../../errors';

/**
 * What a draft changes, once its added files are stored: the entries to put (after the draft's own operations
 * were applied in order) and the removals that apply to the base. The new version is (base minus removed) plus
 * puts, which is what applying every operation in order to the base gives. Stored as a blob and passed by digest.
 */
export interface DraftEdits {
  readonly format: 'temporal-artifacts/draft-edits@1';
  readonly puts: readonly ManifestEntry[];
  /** Removals in the order made; `ofAdds` says whether the removal matched something the draft itself added. */
  readonly removes: readonly { readonly path: string; readonly ofAdds: boolean }[];
}

export type DraftStageSummary = Omit<StageResult, 'manifest'>;

/**
 * Hashes and stores the files a draft adds (and nothing of its base), applying its operations in order: each run
 * of adds between two removals is staged as one spec, so a removal can drop what an earlier add brought in.
 */
export async function stageDraft(store: Store, spec: ArtifactSpec, options: StageOptions = {}): Promise<{ editsDigest: string; stage: DraftStageSummary }> {
  const puts = new Map<string, ManifestEntry>();
  const removes: { path: string; ofAdds: boolean }[] = [];
  const stage = { files: 0, bytes: 0, bytesWritten: 0, resumedBytes: 0, skipped: [] as StageResult['skipped'][number][] };
  let adds: SpecOp[] = [];
  const flushAdds = async (): Promise<void> => {
    if (adds.length === 0) return;
    const result = await stageSpec(store, { format: spec.format, ops: adds }, options);
    adds = [];
    for await (const entry of readManifest(store.blobs, result.manifest.root)) puts.set(entry.path, entry);
    stage.files += result.files;
    stage.bytes += result.bytes;
    stage.bytesWritten += result.bytesWritten;
    stage.resumedBytes += result.resumedBytes;
    stage.skipped.push(...result.skipped);
  };
  for (const op of spec.ops) {
    if (op.op !== 'remove') {
      adds.push(op);
      continue;
    }
    await flushAdds();
    let ofAdds = false;
    for (const path of [...puts.keys()]) if (isUnder(path, op.path)) ofAdds = puts.delete(path) || ofAdds;
    removes.push({ path: op.path, ofAdds });
  }
  await flushAdds();
  const edits: DraftEdits = { format: 'temporal-artifacts/draft-edits@1', puts: [...puts.values()].sort((a, b) => comparePaths(a.path, b.path)), removes };
  return { editsDigest: await store.blobs.putBytes(Buffer.from(JSON.stringify(edits))), stage };
}

/**
 * Applies a staged draft to its base tree. A removal that matches neither the base nor the draft's own adds is
 * refused, naming the path and the base version (`ref`).
 */
export async function applyDraft(store: Store, baseRoot: string, editsDigest: string, ref: string): Promise<EditResult> {
  const edits = await loadDraftEdits(store, editsDigest);
  const reader = new ChunkReader(store.blobs);
  const removed = new Set<string>();
  for (const { path, ofAdds } of edits.removes) {
    const found = await entriesUnder(reader, baseRoot, path);
    if (found.length === 0 && !ofAdds) {
      throw new UsageError(`remove(${JSON.stringify(path)}): ${ref} has no entry or folder by that name, and the draft did not add one; run \`artifacts show ${ref}\` to see its files.`);
    }
    for (const entry of found) removed.add(entry.path);
  }
  const byPath = new Map<string, ManifestEdit>();
  for (const path of removed) byPath.set(path, { path, entry: null });
  for (const entry of edits.puts) byPath.set(entry.path, { path: entry.path, entry });
  const sorted = [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
  const result = await editManifest(store.blobs, baseRoot, sorted);
  // A file added where the base has a folder (or inside one of its files) would make a version no one can download.
  const clash = await findClash(reader, result.manifest.root, edits.puts.map((e) => e.path));
  if (clash) throw new PathClashError(clash.file, clash.inner, ` in the draft of ${ref}`);
  return result;
}

export async function loadDraftEdits(store: Store, editsDigest: string): Promise<DraftEdits> {
  return JSON.parse((await store.blobs.getBytes(editsDigest)).toString('utf8')) as DraftEdits;
}
