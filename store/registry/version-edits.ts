/**
 * What may change about a committed version, and the record of each change: aliases (protected ones move only
 * when forced), tags, description and metadata. The files and the digest never change. Every function here runs
 * inside the caller's registry transaction, so a change and its record are written together or not at all.
 */
import type { SqlDb } from './sql-db';
import { checkAlias, splitName } from './ref';
import { AliasError, ArtifactNotFoundError, ProtectedAliasError, UsageError } from '../../errors';

export type ChangeKind = 'alias-set' | 'alias-removed' | 'description' | 'metadata' | 'tag-added' | 'tag-removed' | 'logged-again';

/** One recorded change of a version: what, who and when. */
export interface VersionChange {
  /** `vN` the change applied to. */
  readonly version: string;
  readonly change: ChangeKind;
  /** What changed: for an alias, `{ alias, from }` (from: the `vN` it left, or null); for a description, `{ from, to }`; ... */
  readonly detail: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly at: string;
}

/** Who makes a change, and whether a protected alias may move. */
export interface EditContext {
  readonly actor: string;
  readonly force?: boolean | undefined;
}

/** A change to a version's editable fields; each field present is applied and recorded. */
export interface VersionPatch {
  /** The new description (null clears it). */
  readonly description?: string | null | undefined;
  /** Keys to set (merged into the existing metadata). */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** Keys to remove from the metadata. */
  readonly unsetMetadata?: readonly string[] | undefined;
  readonly addTags?: readonly string[] | undefined;
  readonly removeTags?: readonly string[] | undefined;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function checkTag(tag: string): string {
  if (typeof tag !== 'string' || !TAG.test(tag)) throw new UsageError(`Invalid tag ${JSON.stringify(tag)}: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit.`);
  return tag;
}

/** Appends a change to the name's record. */
export async function recordChange(tx: SqlDb, name: string, index: number, change: ChangeKind, detail: Record<string, unknown>, actor: string): Promise<void> {
  const top = await tx.all<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM version_changes WHERE name = ?', [name]);
  const seq = top[0]?.seq === null || top[0]?.seq === undefined ? 0 : Number(top[0].seq) + 1;
  await tx.run('INSERT INTO version_changes (name, seq, idx, change, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [name, seq, index, change, JSON.stringify(detail), actor, new Date().toISOString()]);
}

/** Recorded changes of a name (or of one of its versions), oldest first. */
export async function changesOf(db: SqlDb, name: string, index?: number): Promise<VersionChange[]> {
  const rows = await db.all<{ idx: number | string; change: ChangeKind; detail: string; actor: string; at: string }>(
    `SELECT idx, change, detail, actor, at FROM version_changes WHERE name = ?${index === undefined ? '' : ' AND idx = ?'} ORDER BY seq`,
    index === undefined ? [name] : [name, index]);
  return rows.map((r) => ({ version: `v${Number(r.idx)}`, change: r.change, detail: JSON.parse(r.detail) as Record<string, unknown>, actor: r.actor, at: r.at }));
}

/**
 * Points a custom alias at a version. Moving a protected alias off another version needs `force`; a move is
 * recorded (placing an alias where it already is changes and records nothing).
 */
export async function placeAlias(tx: SqlDb, name: string, alias: string, index: number, ctx: EditContext): Promise<void> {
  checkAlias(alias);
  const holder = await aliasHolder(tx, name, alias);
  if (holder === index) return;
  if (holder !== undefined && !ctx.force && (await isProtected(tx, name, alias))) {
    throw new ProtectedAliasError({ artifactName: name, alias, holder: `v${holder}`, action: `move to v${index}` });
  }
  await tx.run('DELETE FROM aliases WHERE name = ? AND alias = ?', [name, alias]);
  await tx.run('INSERT INTO aliases (name, alias, idx) VALUES (?, ?, ?)', [name, alias, index]);
  await recordChange(tx, name, index, 'alias-set', { alias, from: holder === undefined ? null : `v${holder}`, forced: Boolean(ctx.force) }, ctx.actor);
}

/** Takes a custom alias off the version that holds it; a protected one only with `force`. */
export async function dropAlias(tx: SqlDb, name: string, alias: string, ctx: EditContext): Promise<void> {
  if (alias === 'latest') throw new AliasError('The alias "latest" is managed automatically: it always points at the newest version.');
  checkAlias(alias);
  const holder = await aliasHolder(tx, name, alias);
  if (holder === undefined) throw new ArtifactNotFoundError(`${name}:${alias}`, `No version of ${JSON.stringify(name)} has the alias ${JSON.stringify(alias)}.`);
  if (!ctx.force && (await isProtected(tx, name, alias))) throw new ProtectedAliasError({ artifactName: name, alias, holder: `v${holder}`, action: 'remove' });
  await tx.run('DELETE FROM aliases WHERE name = ? AND alias = ?', [name, alias]);
  await recordChange(tx, name, holder, 'alias-removed', { alias, forced: Boolean(ctx.force) }, ctx.actor);
}

/** Applies a patch to a version's description, metadata and tags, recording each field that changed. */
export async function updateVersion(tx: SqlDb, name: string, index: number, patch: VersionPatch, actor: string, maxMetadataBytes: number): Promise<void> {
  const row = (await tx.all<{ description: string | null; metadata: string }>('SELECT description, metadata FROM versions WHERE name = ? AND idx = ?', [name, index]))[0];
  if (!row) throw new ArtifactNotFoundError(`${name}:v${index}`, `Run \`artifacts ls ${name}\` to list its versions.`);
  if (patch.description !== undefined && patch.description !== row.description) {
    await tx.run('UPDATE versions SET description = ? WHERE name = ? AND idx = ?', [patch.description, name, index]);
    await recordChange(tx, name, index, 'description', { from: row.description, to: patch.description }, actor);
  }
  if (patch.metadata !== undefined || patch.unsetMetadata !== undefined) await updateMetadata(tx, name, index, JSON.parse(row.metadata) as Record<string, unknown>, patch, actor, maxMetadataBytes);
  for (const tag of new Set(patch.addTags ?? [])) {
    const { changes } = await tx.run('INSERT INTO version_tags (name, idx, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [name, index, checkTag(tag)]);
    if (changes > 0) await recordChange(tx, name, index, 'tag-added', { tag }, actor);
  }
  for (const tag of new Set(patch.removeTags ?? [])) {
    const { changes } = await tx.run('DELETE FROM version_tags WHERE name = ? AND idx = ? AND tag = ?', [name, index, tag]);
    if (changes > 0) await recordChange(tx, name, index, 'tag-removed', { tag }, actor);
  }
}

async function updateMetadata(
  tx: SqlDb, name: string, index: number, before: Record<string, unknown>, patch: VersionPatch, actor: string, maxBytes: number,
): Promise<void> {
  const after: Record<string, unknown> = { ...before, ...patch.metadata };
  for (const key of patch.unsetMetadata ?? []) delete after[key];
  const set = Object.keys(patch.metadata ?? {}).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const unset = (patch.unsetMetadata ?? []).filter((k) => Object.hasOwn(before, k));
  if (set.length === 0 && unset.length === 0) return;
  const json = JSON.stringify(after);
  if (Buffer.byteLength(json) > maxBytes) {
    throw new UsageError(`The metadata of ${name}:v${index} would be ${Buffer.byteLength(json)} bytes as JSON; a version keeps at most ${maxBytes}. Keep large values in files of the artifact.`);
  }
  await tx.run('UPDATE versions SET metadata = ? WHERE name = ? AND idx = ?', [json, name, index]);
  await recordChange(tx, name, index, 'metadata', { set: Object.fromEntries(set.map((k) => [k, after[k]])), unset, before: Object.fromEntries([...set, ...unset].map((k) => [k, before[k] ?? null])) }, actor);
}

/** Tags by version index, of one name (or one of its versions). */
export async function tagsOf(db: SqlDb, name: string, index?: number | { readonly from: number; readonly to: number }): Promise<Map<number, string[]>> {
  const [where, params] = index === undefined ? ['', [name]] : typeof index === 'number' ? [' AND idx = ?', [name, index]] : [' AND idx BETWEEN ? AND ?', [name, index.from, index.to]];
  const rows = await db.all<{ idx: number | string; tag: string }>(`SELECT idx, tag FROM version_tags WHERE name = ?${where} ORDER BY tag`, params);
  const byIndex = new Map<number, string[]>();
  for (const r of rows) byIndex.set(Number(r.idx), [...(byIndex.get(Number(r.idx)) ?? []), r.tag]);
  return byIndex;
}

/** Marks aliases of a project as protected (or no longer, with `protect: false`). */
export async function setProtected(tx: SqlDb, project: string, aliases: readonly string[], protect: boolean, actor: string): Promise<void> {
  for (const alias of aliases) {
    checkAlias(alias);
    if (protect) {
      await tx.run('INSERT INTO protected_aliases (project, alias, actor, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [project, alias, actor, new Date().toISOString()]);
    } else {
      await tx.run('DELETE FROM protected_aliases WHERE project = ? AND alias = ?', [project, alias]);
    }
  }
}

export async function protectedAliases(db: SqlDb, project: string): Promise<string[]> {
  return (await db.all<{ alias: string }>('SELECT alias FROM protected_aliases WHERE project = ? ORDER BY alias', [project])).map((r) => r.alias);
}

/** Whether the project of `name` (a registry name, `project/name` or a default-project name) protects `alias`. */
async function isProtected(db: SqlDb, name: string, alias: string): Promise<boolean> {
  return (await db.all('SELECT 1 FROM protected_aliases WHERE project = ? AND alias = ?', [splitName(name).project, alias])).length > 0;
}

async function aliasHolder(db: SqlDb, name: string, alias: string): Promise<number | undefined> {
  const row = (await db.all<{ idx: number | string }>('SELECT idx FROM aliases WHERE name = ? AND alias = ?', [name, alias]))[0];
  return row ? Number(row.idx) : undefined;
}
