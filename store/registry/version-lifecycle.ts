/**
 * The end of a version's life: deletes (by a user, a TTL or a retention rule), retention rules per name and default
 * TTLs per type. A deleted version keeps its row as a tombstone (lineage still names it, its ref fails saying when
 * and by whom, its number is never given again); only its aliases go, and `latest` moves to the newest remaining
 * version. Freeing its files is gc's job: the manifest roots it reports no longer include deleted versions.
 */
import type { SqlDb } from './sql-db';
import type { Registry } from './registry';
import { checkArtifactName, checkProjectName } from './ref';
import { AliasError, ArtifactNotFoundError, UsageError } from '../../errors';

/**
 * What a name keeps when gc applies its retention rule: its `last` newest versions, and (unless `aliased` is false)
 * any version holding a custom alias.
 */
export interface RetentionRule {
  readonly keep: { readonly last: number; readonly aliased?: boolean };
}

export interface DeleteOptions {
  /** Who deletes (a user, or gc with its reason), recorded in the tombstone. */
  readonly by: string;
  /** Delete even versions that hold custom aliases (the aliases go with them). */
  readonly force?: boolean;
}

/** What one pass of expiry deleted: `name:vN` refs. */
export interface ExpiryReport {
  /** Past their TTL. */
  readonly expired: readonly string[];
  /** Beyond their name's retention rule. */
  readonly retired: readonly string[];
  /** Past their TTL, but holding a custom alias, so kept (delete them with --force). */
  readonly keptForAliases: readonly string[];
}

/**
 * Deletes versions `indices` of `name` (all its versions when `indices` is undefined). Refuses, deleting nothing,
 * when one holds a custom alias and `force` is not set. Returns the refs deleted now (already deleted ones are skipped).
 */
export async function deleteVersions(registry: Registry, name: string, indices: readonly number[] | undefined, options: DeleteOptions): Promise<string[]> {
  return registry.db.transaction(async (tx) => {
    const live = (await tx.all<{ idx: number | string }>('SELECT idx FROM versions WHERE name = ? AND deleted_at IS NULL ORDER BY idx', [name])).map((r) => Number(r.idx));
    const doomed = indices === undefined ? live : live.filter((i) => indices.includes(i));
    if (doomed.length === 0) return [];
    if (!options.force) await refuseAliased(tx, name, doomed);
    await tombstone(tx, name, doomed, options.by);
    return doomed.map((i) => `${name}:v${i}`);
  });
}

/** Sets (or, with null, removes) the retention rule of a name; gc applies it. */
export async function setRetention(registry: Registry, name: string, rule: RetentionRule | null): Promise<void> {
  if (rule !== null && (!Number.isInteger(rule.keep.last) || rule.keep.last < 1)) {
    throw new UsageError(`The retention rule of ${JSON.stringify(name)} must keep at least the last version: give keep.last as a whole number of 1 or more.`);
  }
  const { changes } = await registry.db.run('UPDATE artifacts SET retention = ? WHERE name = ?', [rule === null ? null : JSON.stringify(rule), name]);
  if (changes === 0) throw new ArtifactNotFoundError(name, 'A retention rule applies to a name that exists; log a version of it first.');
}

/** The retention rule of a name, if any. */
export async function retentionOf(registry: Registry, name: string): Promise<RetentionRule | null> {
  const row = (await registry.db.all<{ retention: string | null }>('SELECT retention FROM artifacts WHERE name = ?', [name]))[0];
  return row?.retention ? (JSON.parse(row.retention) as RetentionRule) : null;
}

/** Sets (or, with null, removes) the TTL new versions of `type` get in `project` when they name none of their own. */
export async function setTypeTtl(registry: Registry, project: string, type: string, ttlMs: number | null): Promise<void> {
  checkProjectName(project);
  checkArtifactName(type);
  await registry.db.transaction(async (tx) => {
    await tx.run('DELETE FROM type_ttls WHERE project = ? AND type = ?', [project, type]);
    if (ttlMs !== null) await tx.run('INSERT INTO type_ttls (project, type, ttl_ms) VALUES (?, ?, ?)', [project, type, Math.round(ttlMs)]);
  });
}

/**
 * Deletes what has come to its end at `now`: versions past their TTL (except those holding a custom alias) and
 * versions beyond their name's retention rule. With `dryRun`, reports what it would delete and deletes nothing.
 */
export async function expireVersions(registry: Registry, now: number, options: { dryRun?: boolean } = {}): Promise<ExpiryReport> {
  const due = await registry.db.all<{ name: string; idx: number | string }>(
    'SELECT name, idx FROM versions WHERE deleted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY name, idx', [new Date(now).toISOString()]);
  const aliased = await aliasedVersions(registry.db);
  const expired: string[] = [];
  const keptForAliases: string[] = [];
  for (const row of due) {
    const ref = `${row.name}:v${Number(row.idx)}`;
    if (aliased.has(ref)) keptForAliases.push(ref);
    else expired.push(ref);
  }
  const retired = (await beyondRetention(registry.db, aliased)).filter((ref) => !expired.includes(ref));
  if (!options.dryRun) {
    for (const ref of [...expired, ...retired]) {
      const [name, version] = splitRef(ref);
      await deleteVersions(registry, name, [version], { by: `gc (${expired.includes(ref) ? 'TTL expired' : 'retention rule'})`, force: true });
    }
  }
  return { expired, retired, keptForAliases };
}

async function refuseAliased(tx: SqlDb, name: string, indices: readonly number[]): Promise<void> {
  const held = (await tx.all<{ alias: string; idx: number | string }>("SELECT alias, idx FROM aliases WHERE name = ? AND alias <> 'latest' ORDER BY idx, alias", [name]))
    .filter((r) => indices.includes(Number(r.idx)));
  if (held.length === 0) return;
  const list = held.map((r) => `${r.alias} (v${Number(r.idx)})`).join(', ');
  throw new AliasError(`Not deleted: ${JSON.stringify(name)} would lose its aliases ${list}. Move them to another version first, or delete with --force (API: { force: true }) to drop them too.`);
}

async function tombstone(tx: SqlDb, name: string, indices: readonly number[], by: string): Promise<void> {
  const now = new Date().toISOString();
  for (const idx of indices) {
    await tx.run('UPDATE versions SET deleted_at = ?, deleted_by = ? WHERE name = ? AND idx = ? AND deleted_at IS NULL', [now, by, name, idx]);
    await tx.run('DELETE FROM aliases WHERE name = ? AND idx = ?', [name, idx]);
    // What changed in it is of no use once it cannot be downloaded.
    await tx.run('DELETE FROM version_deltas WHERE name = ? AND idx = ?', [name, idx]);
  }
  const newest = (await tx.all<{ idx: number | string | null }>('SELECT MAX(idx) AS idx FROM versions WHERE name = ? AND deleted_at IS NULL', [name]))[0]?.idx;
  const hasLatest = (await tx.all("SELECT 1 FROM aliases WHERE name = ? AND alias = 'latest'", [name])).length > 0;
  if (!hasLatest && newest !== null && newest !== undefined) {
    await tx.run("INSERT INTO aliases (name, alias, idx) VALUES (?, 'latest', ?)", [name, Number(newest)]);
  }
}

/** `name:vN` of every live version holding a custom alias. */
async function aliasedVersions(db: SqlDb): Promise<Set<string>> {
  const rows = await db.all<{ name: string; idx: number | string }>("SELECT DISTINCT name, idx FROM aliases WHERE alias <> 'latest'");
  return new Set(rows.map((r) => `${r.name}:v${Number(r.idx)}`));
}

/** Live versions that the retention rules of their names do not keep. */
async function beyondRetention(db: SqlDb, aliased: ReadonlySet<string>): Promise<string[]> {
  const rules = await db.all<{ name: string; retention: string }>('SELECT name, retention FROM artifacts WHERE retention IS NOT NULL ORDER BY name');
  const out: string[] = [];
  for (const { name, retention } of rules) {
    const rule = JSON.parse(retention) as RetentionRule;
    const live = await db.all<{ idx: number | string }>('SELECT idx FROM versions WHERE name = ? AND deleted_at IS NULL ORDER BY idx DESC', [name]);
    for (const [position, row] of live.entries()) {
      const ref = `${name}:v${Number(row.idx)}`;
      if (position < rule.keep.last || (rule.keep.aliased !== false && aliased.has(ref))) continue;
      out.push(ref);
    }
  }
  return out;
}

function splitRef(ref: string): [string, number] {
  const colon = ref.lastIndexOf(':v');
  return [ref.slice(0, colon), Number(ref.slice(colon + 2))];
}

