/**
 * A draft whose base is no longer `latest`. Its edits apply on top of `latest` when none of the paths it changes
 * was changed between its base and `latest` (found with the manifest tree diff, which reads only the chunks on
 * the way to a change: O(changes), not O(files)). When they overlap, applying would silently drop one side's
 * change, so it is refused naming the paths, unless the caller asked to commit on the old base instead.
 */
import { ChunkReader } from '../manifest/manifest-cursor';
import { diffManifests } from '../manifest/manifest-diff';
import type { EditResult } from '../manifest/manifest-edit';
import type { Store } from '../store';
import { applyDraft, loadDraftEdits, type DraftEdits } from './draft-edits';
import { StaleDraftError } from '../../errors';

export interface RebaseInput {
  readonly name: string;
  readonly baseIndex: number;
  readonly baseRoot: string;
  readonly editsDigest: string;
  /** `branch`: when the draft overlaps newer changes, commit it on its old base instead of failing. */
  readonly onStale?: 'rebase' | 'branch' | undefined;
  /** The commit's key: a save that committed before (the same draft saved again) is not stale against itself. */
  readonly idempotencyKey?: string | undefined;
}

export interface RebaseResult extends EditResult {
  /** The index `latest` had when the edits were applied; the commit expects it still. */
  readonly latest: number;
  /** The index the edits were applied on: the base, or `latest` when rebased. */
  readonly onto: number;
  /** True when the draft overlapped newer changes and was applied on its old base as asked. */
  readonly branched: boolean;
  /** The overlapping paths (the first few), when branched. */
  readonly overlapping: readonly string[];
}

/** Most overlapping paths an error or a report names. */
const SHOWN = 10;

export async function applyDraftOnLatest(store: Store, input: RebaseInput): Promise<RebaseResult> {
  const { name, baseIndex, baseRoot, editsDigest } = input;
  // Checked first: once the base is deleted, `latest` may have moved back or be gone, which is not staleness.
  await store.registry.refuseDeletedBase(name, baseIndex);
  const latest = await store.registry.resolve(`${name}:latest`);
  const base = { latest: latest.index, onto: baseIndex, branched: false, overlapping: [] };
  const committedBefore = input.idempotencyKey !== undefined && (await store.registry.findCommit(input.idempotencyKey)) !== undefined;
  // Committed before: the commit returns that version whatever is applied here, so apply on the base, as then.
  if (committedBefore || latest.index === baseIndex || latest.manifest.root === baseRoot) {
    return { ...(await applyDraft(store, baseRoot, editsDigest, `${name}:v${baseIndex}`)), ...base };
  }
  const overlapping = await overlap(store, await loadDraftEdits(store, editsDigest), baseRoot, latest.manifest.root);
  if (overlapping.length === 0) {
    return { ...(await applyDraft(store, latest.manifest.root, editsDigest, `${name}:v${latest.index}`)), ...base, onto: latest.index };
  }
  if (input.onStale !== 'branch') {
    throw new StaleDraftError({ artifactName: name, base: `v${baseIndex}`, latest: `v${latest.index}`, paths: overlapping.slice(0, SHOWN) });
  }
  return { ...(await applyDraft(store, baseRoot, editsDigest, `${name}:v${baseIndex}`)), ...base, branched: true, overlapping: overlapping.slice(0, SHOWN) };
}

/**
 * Paths changed both by the draft and between `baseRoot` and `latestRoot`: the same path, or one inside the other
 * (a folder the draft removed that gained a file since; a file where the other side put a folder).
 */
async function overlap(store: Store, edits: DraftEdits, baseRoot: string, latestRoot: string): Promise<string[]> {
  const ours = new Set<string>([...edits.puts.map((e) => e.path), ...edits.removes.map((r) => r.path)]);
  const theirs = new Set<string>();
  for await (const d of diffManifests(new ChunkReader(store.blobs), baseRoot, latestRoot)) theirs.add(d.path);
  const found = new Set<string>();
  for (const path of theirs) if (selfOrAncestorIn(path, ours)) found.add(path);
  for (const path of ours) if (selfOrAncestorIn(path, theirs)) found.add(path);
  return [...found].sort();
}

function selfOrAncestorIn(path: string, set: ReadonlySet<string>): boolean {
  for (let at = path.length; at > 0; at = path.lastIndexOf('/', at - 1)) {
    if (set.has(path.slice(0, at))) return true;
  }
  return false;
}
