import type { ChangesText } from '../manifest/manifest-changes';
import type { SqlDb } from './sql-db';

/**
 * What changed in a version since another version's manifest (`base_root`): the changes as manifest-changes.ts
 * writes them, recorded when the version is committed. The registry is trusted as it is for the version's manifest
 * root; a row that does not decode is ignored and the download reads the manifests.
 */
export async function recordDelta(tx: SqlDb, name: string, index: number, delta: { readonly baseRoot: string; readonly changes: ChangesText }): Promise<void> {
  await tx.run('INSERT INTO version_deltas (name, idx, base_root, changes) VALUES (?, ?, ?, ?)', [name, index, delta.baseRoot, delta.changes]);
}

/** The changes recorded for version `index` of `name` since the manifest `baseRoot`, if any. */
export async function deltaOf(db: SqlDb, name: string, index: number, baseRoot: string): Promise<ChangesText | undefined> {
  const row = (await db.all<{ changes: string }>('SELECT changes FROM version_deltas WHERE name = ? AND idx = ? AND base_root = ?', [name, index, baseRoot]))[0];
  return row?.changes;
}

/** The manifest root and file count of the version `latest` names, when it is not deleted. */
export async function latestManifestOf(db: SqlDb, name: string): Promise<{ root: string; count: number } | undefined> {
  const row = (await db.all<{ manifest_root: string; file_count: number | string }>(
    `SELECT v.manifest_root, v.file_count FROM aliases a JOIN versions v ON v.name = a.name AND v.idx = a.idx
     WHERE a.name = ? AND a.alias = 'latest' AND v.deleted_at IS NULL`, [name]))[0];
  return row && { root: row.manifest_root, count: Number(row.file_count) };
}
