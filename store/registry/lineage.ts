import { ChunkReader } from '../manifest/manifest-cursor';
import { diffManifests, emptySummary, tally, type DiffEntry, type DiffSummary } from '../manifest/manifest-diff';
import { consumersOf } from './consumers';
import type { WorkflowCaller } from './producer';
import type { Producer, VersionRecord } from './registry';
import { runsUsing, type RunUse } from './run-uses';
import type { Store } from '../store';
import { changesOf } from './version-edits';

export interface VersionDiff {
  /** `name:vN` of the older and the newer side. */
  readonly from: string;
  readonly to: string;
  readonly entries: readonly DiffEntry[];
  readonly summary: DiffSummary;
  /** Manifest chunks read to compute it: those on the way to a change, not the whole trees. */
  readonly chunksRead: number;
}

/** Compares two versions' manifests, walking only the chunks that differ. */
export async function diffVersions(store: Store, from: VersionRecord, to: VersionRecord): Promise<VersionDiff> {
  const reader = new ChunkReader(store.blobs);
  const entries: DiffEntry[] = [];
  const summary = emptySummary();
  for await (const d of diffManifests(reader, from.manifest.root, to.manifest.root)) {
    entries.push(d);
    tally(summary, d);
  }
  return { from: refOf(from), to: refOf(to), entries, summary, chunksRead: reader.fetched.length };
}

/** The differences between two versions as a stream, for diffs too large to hold (memory: the chunks on the way). */
export function diffEntries(store: Store, from: VersionRecord, to: VersionRecord): AsyncGenerator<DiffEntry> {
  return diffManifests(new ChunkReader(store.blobs), from.manifest.root, to.manifest.root);
}

/** Where a version came from and what came of it. */
export interface Lineage {
  readonly ref: string;
  /** The workflow (and user-level run) that committed it. */
  readonly producer: Producer | null;
  /** Later producers whose output was identical, so they got this version instead of a copy; oldest first. */
  readonly reproducedBy: readonly Producer[];
  /** `name:vN` an incremental draft started from. */
  readonly base: string | null;
  /** Versions recorded as inputs of the run that made it. */
  readonly uses: readonly string[];
  /** Versions made as drafts of this one. */
  readonly derived: readonly string[];
  /** Versions whose making used this one. */
  readonly usedBy: readonly string[];
  /** Users' workflow runs that used this one (`useArtifact` in `temporal-artifacts/workflows`). */
  readonly usedByWorkflows: readonly WorkflowCaller[];
  /** Which of the refs above name deleted versions (tombstones: lineage keeps them, their refs fail). */
  readonly deleted: readonly string[];
  /** Runs that used this version (`run.useArtifact`), with their host. */
  readonly usedByRuns: readonly RunUse[];
}

export async function lineageOf(store: Store, v: VersionRecord): Promise<Lineage> {
  const db = store.registry.db;
  const uses = await store.registry.uses(v.name, v.index);
  const derived = await db.all<{ idx: number | string }>('SELECT idx FROM versions WHERE name = ? AND base_idx = ? ORDER BY idx', [v.name, v.index]);
  const usedBy = await db.all<{ name: string; idx: number | string }>('SELECT name, idx FROM version_uses WHERE used_name = ? AND used_idx = ? ORDER BY name, idx', [v.name, v.index]);
  const lineage = {
    ref: refOf(v),
    producer: v.producer,
    reproducedBy: (await changesOf(db, v.name, v.index)).flatMap((c) => (c.change === 'logged-again' && c.detail['producer'] ? [c.detail['producer'] as Producer] : [])),
    base: v.base === null ? null : `${v.name}:${v.base}`,
    uses: uses.map((u) => `${u.name}:${u.version}`),
    derived: derived.map((r) => `${v.name}:v${Number(r.idx)}`),
    usedBy: usedBy.map((r) => `${r.name}:v${Number(r.idx)}`),
    usedByWorkflows: await consumersOf(db, v.name, v.index),
    usedByRuns: await runsUsing(db, v.name, v.index),
  };
  const named = [...(lineage.base ? [lineage.base] : []), ...lineage.uses, ...lineage.derived, ...lineage.usedBy];
  const names = [...new Set(named.map((ref) => ref.slice(0, ref.lastIndexOf(':v'))))];
  const gone = names.length === 0 ? [] : await db.all<{ name: string; idx: number | string }>(
    `SELECT name, idx FROM versions WHERE deleted_at IS NOT NULL AND name IN (${names.map(() => '?').join(', ')})`, names);
  const tombstones = new Set(gone.map((r) => `${r.name}:v${Number(r.idx)}`));
  return { ...lineage, deleted: named.filter((ref) => tombstones.has(ref)) };
}

function refOf(v: VersionRecord): string {
  return `${v.name}:${v.version}`;
}
