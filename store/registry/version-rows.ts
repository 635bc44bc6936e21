/**
 * The rows one commit writes, inside the registry's transaction: a new version with its lineage, or, when the
 * content equals a version the name already has, the record that it was logged again (by whom, from what).
 */
import type { SqlDb } from './sql-db';
import type { CommitInput } from './version-record';
import { recordDelta } from './version-deltas';
import { recordChange } from './version-edits';

/**
 * The version of `name` whose content has this digest, if any (the newest, should history hold several). A deleted
 * version is not one: its files may already be freed, so the same content logged again becomes a new version.
 */
export async function sameContent(tx: SqlDb, name: string, digest: string): Promise<number | undefined> {
  const row = (await tx.all<{ idx: number | string }>(
    'SELECT idx FROM versions WHERE name = ? AND digest = ? AND deleted_at IS NULL ORDER BY idx DESC LIMIT 1', [name, digest]))[0];
  return row ? Number(row.idx) : undefined;
}

/**
 * The index the next new version of `name` gets: one past the highest ever committed, deleted ones included, so a
 * ref to a deleted version keeps failing rather than meaning another.
 */
export async function nextIndex(tx: SqlDb, name: string): Promise<number> {
  const row = (await tx.all<{ top: number | string | null }>('SELECT MAX(idx) AS top FROM versions WHERE name = ?', [name]))[0];
  return row?.top === null || row?.top === undefined ? 0 : Number(row.top) + 1;
}

/** The index `latest` points at, if the name has versions. */
export async function latestIndex(tx: SqlDb, name: string): Promise<number | undefined> {
  const row = (await tx.all<{ idx: number | string }>("SELECT idx FROM aliases WHERE name = ? AND alias = 'latest'", [name]))[0];
  return row ? Number(row.idx) : undefined;
}

/** Writes a new version row (with its expiry: its own TTL, else its type's default in its project) and its lineage. */
export async function insertVersion(tx: SqlDb, input: CommitInput, index: number, now: string, project: string): Promise<void> {
  const typeTtl = (await tx.all<{ ttl_ms: number | string }>('SELECT ttl_ms FROM type_ttls WHERE project = ? AND type = ?', [project, input.type]))[0]?.ttl_ms;
  const ttlMs = input.ttlMs ?? (typeTtl === undefined ? undefined : Number(typeTtl));
  const expiresAt = ttlMs === undefined ? null : new Date(Date.parse(now) + ttlMs).toISOString();
  await tx.run(
    `INSERT INTO versions (name, idx, digest, manifest_root, file_count, total_size, description, metadata, base_idx, producer, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [input.name, index, input.manifest.digest, input.manifest.root, input.manifest.count, input.manifest.size,
      input.description ?? null, JSON.stringify(input.metadata ?? {}), input.baseIndex ?? null,
      input.producer ? JSON.stringify(input.producer) : null, now, expiresAt]);
  await recordUses(tx, input, index);
  if (input.delta) await recordDelta(tx, input.name, index, input.delta);
}

/**
 * Content logged again: the existing version stands for it, and its lineage gains this producer and these inputs,
 * so `artifacts lineage` says every run that produced it, not only the first.
 */
export async function recordLoggedAgain(tx: SqlDb, input: CommitInput, index: number, actor: string): Promise<void> {
  if (!input.producer && !input.uses?.length) return;
  await recordUses(tx, input, index);
  await recordChange(tx, input.name, index, 'logged-again', { producer: input.producer ?? null, uses: (input.uses ?? []).map((u) => `${u.name}:v${u.index}`) }, actor);
}

async function recordUses(tx: SqlDb, input: CommitInput, index: number): Promise<void> {
  for (const used of input.uses ?? []) {
    await tx.run('INSERT INTO version_uses (name, idx, used_name, used_idx) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [input.name, index, used.name, used.index]);
  }
}
