import type { SqlDb } from './sql-db';
import { tagsOf } from './version-edits';
import { toRecord, VERSION_COLUMNS, type ArtifactSummary, type VersionRecord, type VersionRow } from './version-record';

/** How many rows one page holds when the caller names no limit, and the most it may ask for. */
export const DEFAULT_PAGE = 1000;
export const MAX_PAGE = 10_000;

/** One page of a listing, and the cursor of the next (absent on the last page). */
export interface Page<T, Cursor> {
  readonly items: T[];
  readonly next?: Cursor;
}

/** Where a listing of names resumes: after this name of this project (a cursor holds no offset, so rows never shift). */
export interface NameCursor {
  readonly project: string;
  readonly name: string;
}

function limitOf(limit: number | undefined): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(limit ?? DEFAULT_PAGE)));
}

/**
 * A page of names (with their live versions counted), in (project, name) order, after `after`. Keyset paging: each
 * query seeks the index `artifacts_by_project (project, name)` to the cursor and reads at most `limit` rows, so a page
 * costs the same at the first name as at the 100,000th, and a name committed meanwhile can never make another
 * appear twice or be skipped. With every project (`project` null) it moves on project by project, each a seek of its own.
 */
export async function artifactsPage(db: SqlDb, project: string | null, options: { after?: NameCursor; limit?: number } = {}): Promise<Page<ArtifactSummary, NameCursor>> {
  const limit = limitOf(options.limit);
  let cursor = options.after ?? (project === null ? await firstCursor(db) : { project, name: '' });
  if (!cursor || (project !== null && cursor.project !== project)) return { items: [] };
  const rows: { name: string; project: string; type: string }[] = [];
  for (;;) {
    rows.push(...(await db.all<{ name: string; project: string; type: string }>(
      'SELECT name, project, type FROM artifacts WHERE project = ? AND name > ? ORDER BY name LIMIT ?', [cursor.project, cursor.name, limit - rows.length])));
    if (rows.length >= limit || project !== null) break;
    const nextProject: string | null | undefined = (await db.all<{ p: string | null }>('SELECT MIN(project) AS p FROM artifacts WHERE project > ?', [cursor.project]))[0]?.p;
    if (nextProject === null || nextProject === undefined) break;
    // '' sorts before every name, so the next project is listed from its first name.
    cursor = { project: nextProject, name: '' };
  }
  const live = await liveCounts(db, rows.map((r) => r.name));
  const items = rows.filter((r) => live.has(r.name)).map((r) => ({ name: r.name, project: r.project, type: r.type, ...live.get(r.name)! }));
  const last = rows[rows.length - 1];
  return rows.length < limit || !last ? { items } : { items, next: { project: last.project, name: last.name } };
}

async function firstCursor(db: SqlDb): Promise<NameCursor | undefined> {
  const first = (await db.all<{ p: string | null }>('SELECT MIN(project) AS p FROM artifacts'))[0]?.p;
  return first === null || first === undefined ? undefined : { project: first, name: '' };
}

/**
 * Live versions, `latest` and last commit of each name (names with none left are absent): one PK range per name.
 * `latest` is the alias, not the highest number: content logged again moves it back to an older version.
 */
async function liveCounts(db: SqlDb, names: readonly string[]): Promise<Map<string, { versions: number; latest: string; updatedAt: string }>> {
  const out = new Map<string, { versions: number; latest: string; updatedAt: string }>();
  if (names.length === 0) return out;
  const marks = names.map(() => '?').join(', ');
  // Two index lookups per name rather than one join: joined, PostgreSQL hashes the whole aliases table for every page.
  const rows = await db.all<{ name: string; n: number | string; updated: string }>(
    `SELECT name, COUNT(*) AS n, MAX(created_at) AS updated FROM versions WHERE name IN (${marks}) AND deleted_at IS NULL GROUP BY name`, names);
  const latest = new Map((await db.all<{ name: string; idx: number | string }>(
    `SELECT name, idx FROM aliases WHERE alias = 'latest' AND name IN (${marks})`, names)).map((r) => [r.name, Number(r.idx)]));
  for (const r of rows) out.set(r.name, { versions: Number(r.n), latest: `v${latest.get(r.name) ?? '?'}`, updatedAt: r.updated });
  return out;
}

/**
 * A page of one name's live versions in index order, after version number `after`: a range of the primary key
 * (name, idx), read from the cursor on, with the aliases and tags of that range only.
 */
export async function versionsPage(db: SqlDb, name: string, options: { after?: number; limit?: number } = {}): Promise<Page<VersionRecord, number>> {
  const limit = limitOf(options.limit);
  const rows = await db.all<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM versions v JOIN artifacts a ON a.name = v.name
     WHERE v.name = ? AND v.idx > ? AND v.deleted_at IS NULL ORDER BY v.idx LIMIT ?`, [name, options.after ?? -1, limit]);
  if (rows.length === 0) return { items: [] };
  const from = Number(rows[0]!.idx);
  const to = Number(rows[rows.length - 1]!.idx);
  const aliases = new Map<number, string[]>();
  for (const r of await db.all<{ alias: string; idx: number | string }>('SELECT alias, idx FROM aliases WHERE name = ? AND idx BETWEEN ? AND ? ORDER BY alias', [name, from, to])) {
    aliases.set(Number(r.idx), [...(aliases.get(Number(r.idx)) ?? []), r.alias]);
  }
  const tags = await tagsOf(db, name, { from, to });
  const items = rows.map((r) => toRecord(r, aliases.get(Number(r.idx)) ?? [], tags.get(Number(r.idx)) ?? []));
  return rows.length < limit ? { items } : { items, next: to };
}

/** Every page of a listing, one after the other (memory holds one page). */
export async function* allPages<T, C>(fetch: (after: C | undefined) => Promise<Page<T, C>>): AsyncGenerator<T[]> {
  let after: C | undefined;
  for (;;) {
    const page = await fetch(after);
    if (page.items.length > 0) yield page.items;
    if (page.next === undefined) return;
    after = page.next;
  }
}
