import type { ChangesText } from '../manifest/manifest-changes';
import type { SqlDb } from './sql-db';

/**
 * What changed in a version since another version's manifest (`base_root`, the version `base_idx`): the changes as
 * manifest-changes.ts writes them, recorded when the version is committed. The registry is trusted as it is for the
 * version's manifest root; a row that does not decode is ignored and the download reads the manifests.
 */
export async function recordDelta(tx: SqlDb, name: string, index: number, delta: { readonly baseRoot: string; readonly baseIndex?: number | undefined; readonly changes: ChangesText }): Promise<void> {
  await tx.run('INSERT INTO version_deltas (name, idx, base_root, changes, base_idx) VALUES (?, ?, ?, ?, ?)', [name, index, delta.baseRoot, delta.changes, delta.baseIndex ?? null]);
}

/**
 * The changes recorded for version `index` of `name` since the manifest `baseRoot`, oldest first: the version's own
 * row since it, or the rows of up to `steps` versions each recorded since the one before, back to a version recorded
 * since it. Undefined when there is no such chain (a version on the way deleted, whose rows went with it; a row of an
 * older release, which names no version; more steps).
 */
export async function deltaChain(db: SqlDb, name: string, index: number, baseRoot: string, steps: number): Promise<ChangesText[] | undefined> {
  const chain: ChangesText[] = [];
  for (let at = index, k = 0; k < steps; k++) {
    const rows = await db.all<{ base_root: string; base_idx: number | string | null; changes: string }>(
      'SELECT base_root, base_idx, changes FROM version_deltas WHERE name = ? AND idx = ?', [name, at]);
    const since = rows.find((r) => r.base_root === baseRoot);
    if (since) return [since.changes, ...chain];
    // Back to an earlier version only: a forged row cannot make the walk go round.
    const back = rows.find((r) => r.base_idx !== null && Number(r.base_idx) < at);
    if (!back) return undefined;
    chain.unshift(back.changes);
    at = Number(back.base_idx);
  }
  return undefined;
}

/** The index, manifest root and file count of the version `latest` names, when it is not deleted. */
export async function latestManifestOf(db: SqlDb, name: string): Promise<{ index: number; root: string; count: number } | undefined> {
  const row = (await db.all<{ idx: number | string; manifest_root: string; file_count: number | string }>(
    `SELECT v.idx, v.manifest_root, v.file_count FROM aliases a JOIN versions v ON v.name = a.name AND v.idx = a.idx
     WHERE a.name = ? AND a.alias = 'latest' AND v.deleted_at IS NULL`, [name]))[0];
  return row && { index: Number(row.idx), root: row.manifest_root, count: Number(row.file_count) };
}
