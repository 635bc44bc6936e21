import type { SqlDb } from './sql-db';
import { MIGRATIONS } from './registry-schema';
import { checkAlias, DEFAULT_PROJECT, formatRef, parseRef, qualifiedName, refInProject, splitName, type ArtifactRef } from './ref';
import { ArtifactNotFoundError, TypeMismatchError, UsageError } from '../../errors';
import { insertVersion, latestIndex, nextIndex, recordLoggedAgain, sameContent } from './version-rows';
import { changesOf, dropAlias, placeAlias, tagsOf, updateVersion, type EditContext, type VersionChange, type VersionPatch } from './version-edits';
import { allPages, artifactsPage, versionsPage, type NameCursor, type Page } from './listing';
import { toRecord, VERSION_COLUMNS, type ArtifactSummary, type CommitInput, type CommitResult, type VersionRecord, type VersionRow } from './version-record';

export type { Producer, WorkflowCaller } from './producer';
export type { NameCursor, Page } from './listing';
export type { ArtifactSummary, CommitInput, CommitResult, Tombstone, VersionRecord } from './version-record';

/**
 * Names, versions, aliases and lineage. Version numbers are assigned inside one write transaction, so they are
 * gap-free and unique under concurrent commits from any number of processes.
 */
export class Registry {
  private constructor(readonly db: SqlDb) {}

  static async open(db: SqlDb): Promise<Registry> {
    await db.transaction(async (tx) => {
      await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)');
      const done = new Set((await tx.all<{ version: number | string }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
      for (const [i, statements] of MIGRATIONS.entries()) {
        if (done.has(i + 1)) continue;
        for (const sql of statements) await tx.run(sql);
        await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [i + 1, new Date().toISOString()]);
      }
    });
    return new Registry(db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Commits a version, or returns the one this idempotency key already committed, or returns the version whose
   * content is identical (any version of the name, not only `latest`): `latest` and the requested aliases move to
   * it and its lineage records this producer too. With `expectLatest`, returns `stale` instead of committing when
   * `latest` has moved on.
   */
  async commit(input: CommitInput): Promise<CommitResult> {
    const project = splitName(input.name).project;
    if (qualifiedName(project, input.name) !== input.name) throw new UsageError(`Invalid artifact name ${JSON.stringify(input.name)}: the default project's names carry no project.`);
    const aliases = [...new Set(input.aliases ?? [])].map(checkAlias);
    if (!input.type) throw new UsageError(`Artifact ${JSON.stringify(input.name)} needs a type, such as "dataset" or "model".`);
    return this.db.transaction(async (tx) => {
      const prior = await tx.all<{ name: string; idx: number | string; created: number }>(
        'SELECT name, idx, created FROM commits WHERE idempotency_key = ?', [input.idempotencyKey]);
      if (prior[0]) return { version: await this.byIndex(tx, prior[0].name, Number(prior[0].idx)), created: false };

      const now = new Date().toISOString();
      const artifact = (await tx.all<{ type: string }>('SELECT type FROM artifacts WHERE name = ?', [input.name]))[0];
      if (artifact && artifact.type !== input.type) throw new TypeMismatchError(input.name, artifact.type, input.type);
      if (!artifact) await tx.run('INSERT INTO artifacts (name, type, created_at, project) VALUES (?, ?, ?, ?)', [input.name, input.type, now, project]);
      // A draft shares its base's unchanged subtrees by digest: once the base is deleted, gc may free them.
      if (input.baseIndex !== undefined) await this.refuseDeletedBase(input.name, input.baseIndex, tx);

      const latest = await latestIndex(tx, input.name);
      if (input.expectLatest !== undefined && latest !== undefined && latest !== input.expectLatest) {
        return { version: await this.byIndex(tx, input.name, latest), created: false, stale: true };
      }
      const ctx = { actor: input.producer?.run ?? input.producer?.workflowId ?? 'unknown' };
      const existing = await sameContent(tx, input.name, input.manifest.digest);
      const index = existing ?? (await nextIndex(tx, input.name));
      const created = existing === undefined;
      if (created) await insertVersion(tx, input, index, now, project);
      else await recordLoggedAgain(tx, input, index, ctx.actor);
      if (latest !== index) await this.moveAlias(tx, input.name, 'latest', index);
      for (const alias of aliases) await placeAlias(tx, input.name, alias, index, ctx);
      await tx.run('INSERT INTO commits (idempotency_key, name, idx, created, created_at) VALUES (?, ?, ?, ?, ?)',
        [input.idempotencyKey, input.name, index, created ? 1 : 0, now]);
      return { version: await this.byIndex(tx, input.name, index), created };
    });
  }

  /** The result of an earlier commit with this key, if any. */
  async findCommit(idempotencyKey: string): Promise<VersionRecord | undefined> {
    const row = (await this.db.all<{ name: string; idx: number | string }>('SELECT name, idx FROM commits WHERE idempotency_key = ?', [idempotencyKey]))[0];
    return row ? this.byIndex(this.db, row.name, Number(row.idx)) : undefined;
  }

  /**
   * Resolves `name`, `name:vN`, `name:alias` or `name@digest` (a unique prefix) to a version; a name without a
   * project (`name`, not `other/name`) is looked up in `project`.
   */
  async resolve(refText: string | ArtifactRef, project: string = DEFAULT_PROJECT): Promise<VersionRecord> {
    const ref = refInProject(typeof refText === 'string' ? parseRef(refText) : refText, project);
    const shown = typeof refText === 'string' ? refText : formatRef(ref);
    // The found path asks only for the version (a version number needs no lookup first); why nothing was found is
    // worked out after, so a resolve at 1M versions costs three point lookups.
    const index = await this.indexOf(ref, shown);
    const found = index === undefined ? undefined : await this.atIndex(this.db, ref.name, index);
    if (!found) {
      const exists = (await this.db.all('SELECT 1 FROM artifacts WHERE name = ?', [ref.name])).length > 0;
      if (!exists) {
        const { project: owner, name } = splitName(ref.name);
        const where = owner === DEFAULT_PROJECT ? '' : ` in project ${JSON.stringify(owner)}`;
        throw new ArtifactNotFoundError(shown, `No artifact is named ${JSON.stringify(name)}${where}; run \`artifacts ls\` to see the names that exist (\`--all-projects\` lists every project).`);
      }
      throw new ArtifactNotFoundError(shown, await this.whatExists(ref.name));
    }
    if (found.deleted) throw new ArtifactNotFoundError(shown, deletedMessage(found));
    return found;
  }

  /** The version number a ref names, if one matches (a version ref names its own, whether or not it exists). */
  private async indexOf(ref: ArtifactRef, shown: string): Promise<number | undefined> {
    if (ref.kind === 'version') return ref.index;
    if (ref.kind === 'alias') {
      const row = await this.db.all<{ idx: number }>('SELECT idx FROM aliases WHERE name = ? AND alias = ?', [ref.name, ref.alias]);
      return row[0] ? Number(row[0].idx) : undefined;
    }
    const rows = await this.db.all<{ idx: number }>('SELECT idx FROM versions WHERE name = ? AND (digest LIKE ? OR digest LIKE ?) ORDER BY idx', [ref.name, ...digestPatterns(ref.digest)]);
    if (rows.length > 1 && new Set(rows.map((r) => r.idx)).size > 1) {
      throw new ArtifactNotFoundError(shown, 'The digest prefix matches more than one version; give more digits.');
    }
    return rows[0] ? Number(rows[0].idx) : undefined;
  }

  /** A name's versions (every page of versionsPage); `name` without a project is looked up in `project`. */
  async versions(bare: string, project: string = DEFAULT_PROJECT): Promise<VersionRecord[]> {
    const name = qualifiedName(project, bare);
    const out: VersionRecord[] = [];
    for await (const page of allPages<VersionRecord, number>((after) => versionsPage(this.db, name, after === undefined ? {} : { after }))) out.push(...page);
    return out;
  }

  /** One page of a name's versions after version number `after` (keyset paging, listing.ts). */
  async versionsPage(bare: string, project: string = DEFAULT_PROJECT, options: { after?: number; limit?: number } = {}): Promise<Page<VersionRecord, number>> {
    return versionsPage(this.db, qualifiedName(project, bare), options);
  }

  /** The names of one project, or of every project when `project` is null (every page of artifactsPage). */
  async artifacts(project: string | null = DEFAULT_PROJECT): Promise<ArtifactSummary[]> {
    const out: ArtifactSummary[] = [];
    for await (const page of allPages<ArtifactSummary, NameCursor>((after) => artifactsPage(this.db, project, after ? { after } : {}))) out.push(...page);
    return out;
  }

  /** One page of names in (project, name) order after `after` (keyset paging, listing.ts). */
  async artifactsPage(project: string | null = DEFAULT_PROJECT, options: { after?: NameCursor; limit?: number } = {}): Promise<Page<ArtifactSummary, NameCursor>> {
    return artifactsPage(this.db, project, options);
  }

  /** Points a custom alias at a version, taking it off whichever version held it (a protected one only with `force`). */
  async setAlias(name: string, alias: string, index: number, ctx: EditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const target = await this.byIndex(tx, name, index);
      if (target.deleted) throw new ArtifactNotFoundError(`${name}:v${index}`, deletedMessage(target));
      await placeAlias(tx, name, alias, index, ctx);
    });
  }

  async removeAlias(name: string, alias: string, ctx: EditContext): Promise<void> {
    await this.db.transaction((tx) => dropAlias(tx, name, alias, ctx));
  }

  /** Changes a version's description, metadata or tags (never its files), recording who changed what. */
  async update(name: string, index: number, patch: VersionPatch, ctx: EditContext & { maxMetadataBytes: number }): Promise<VersionRecord> {
    return this.db.transaction(async (tx) => {
      await updateVersion(tx, name, index, patch, ctx.actor, ctx.maxMetadataBytes);
      return this.byIndex(tx, name, index);
    });
  }

  /** The recorded alias moves and edits of a name (or of one version), oldest first. */
  async changes(name: string, index?: number): Promise<VersionChange[]> {
    return changesOf(this.db, name, index);
  }

  /** Versions recorded as used by this one. */
  async uses(name: string, index: number): Promise<{ name: string; version: string }[]> {
    const rows = await this.db.all<{ used_name: string; used_idx: number | string }>(
      'SELECT used_name, used_idx FROM version_uses WHERE name = ? AND idx = ? ORDER BY used_name, used_idx', [name, index]);
    return rows.map((r) => ({ name: r.used_name, version: `v${r.used_idx}` }));
  }

  /** Records versions as used by this one (lineage); those recorded already stay as they are. */
  async recordUses(name: string, index: number, uses: readonly { name: string; index: number }[]): Promise<void> {
    for (const used of uses) {
      await this.db.run('INSERT INTO version_uses (name, idx, used_name, used_idx) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [name, index, used.name, used.index]);
    }
  }

  /** Every manifest root held by a version not deleted (for garbage collection). */
  async manifestRoots(): Promise<string[]> {
    return (await this.db.all<{ manifest_root: string }>('SELECT DISTINCT manifest_root FROM versions WHERE deleted_at IS NULL')).map((r) => r.manifest_root);
  }

  /** Manifest roots of the versions (not deleted) committed at or after `since` (ISO time). */
  async manifestRootsSince(since: string): Promise<string[]> {
    return (await this.db.all<{ manifest_root: string }>('SELECT DISTINCT manifest_root FROM versions WHERE deleted_at IS NULL AND created_at >= ?', [since])).map((r) => r.manifest_root);
  }

  /** Whether any version was ever committed, deleted ones included (an empty registry may be a reset one). */
  async hasVersions(): Promise<boolean> {
    return (await this.db.all('SELECT 1 FROM versions LIMIT 1')).length > 0;
  }

  /** Refuses a draft whose base version was deleted (its unchanged subtrees may be freed by gc), naming the deletion. */
  async refuseDeletedBase(name: string, baseIndex: number, tx: SqlDb = this.db): Promise<void> {
    const base = await this.byIndex(tx, name, baseIndex);
    if (base.deleted) throw new ArtifactNotFoundError(`${name}:v${baseIndex}`, `A draft of it cannot be saved: ${deletedMessage(base)} Make the draft from a version that remains.`);
  }

  /** What a ref that found nothing could have named: the versions and aliases that remain, or when the last went. */
  private async whatExists(name: string): Promise<string> {
    const live = await this.versions(name);
    if (live.length === 0) {
      const last = (await this.db.all<{ idx: number | string | null }>('SELECT MAX(idx) AS idx FROM versions WHERE name = ?', [name]))[0];
      const gone = last?.idx === null || last?.idx === undefined ? undefined : await this.byIndex(this.db, name, Number(last.idx));
      return gone ? `Every version of ${JSON.stringify(name)} was deleted; the last, ${deletedMessage(gone)}` : `${JSON.stringify(name)} has no versions.`;
    }
    const aliases = [...new Set(live.flatMap((v) => v.aliases))].sort();
    return `${JSON.stringify(name)} has versions ${versionRanges(live.map((v) => v.index))} and aliases ${aliases.join(', ')}; run \`artifacts ls ${name}\` to list them.`;
  }

  private async moveAlias(tx: SqlDb, name: string, alias: string, index: number): Promise<void> {
    await tx.run('DELETE FROM aliases WHERE name = ? AND alias = ?', [name, alias]);
    await tx.run('INSERT INTO aliases (name, alias, idx) VALUES (?, ?, ?)', [name, alias, index]);
  }

  private async aliasesOf(db: SqlDb, name: string, index?: number): Promise<Map<number, string[]>> {
    const rows = await db.all<{ alias: string; idx: number | string }>(
      index === undefined ? 'SELECT alias, idx FROM aliases WHERE name = ? ORDER BY alias' : 'SELECT alias, idx FROM aliases WHERE name = ? AND idx = ? ORDER BY alias',
      index === undefined ? [name] : [name, index]);
    const byIndex = new Map<number, string[]>();
    for (const r of rows) {
      const list = byIndex.get(Number(r.idx)) ?? [];
      list.push(r.alias);
      byIndex.set(Number(r.idx), list);
    }
    return byIndex;
  }

  private async byIndex(db: SqlDb, name: string, index: number): Promise<VersionRecord> {
    const found = await this.atIndex(db, name, index);
    if (!found) throw new ArtifactNotFoundError(`${name}:v${index}`, `Run \`artifacts ls ${name}\` to list its versions.`);
    return found;
  }

  private async atIndex(db: SqlDb, name: string, index: number): Promise<VersionRecord | undefined> {
    const row = (await db.all<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions v JOIN artifacts a ON a.name = v.name WHERE v.name = ? AND v.idx = ?`, [name, index]))[0];
    if (!row) return undefined;
    return toRecord(row, (await this.aliasesOf(db, name, index)).get(index) ?? [], (await tagsOf(db, name, index)).get(index) ?? []);
  }
}

/** `name:vN was deleted at <when> by <whom>` and what to do, for a ref to a tombstone. */
export function deletedMessage(v: VersionRecord): string {
  return `${v.name}:${v.version} was deleted at ${v.deleted?.at ?? '?'} by ${v.deleted?.by ?? '?'}; its files are freed by the next \`artifacts gc\`. Run \`artifacts ls ${v.name}\` to see the versions that remain.`;
}

/** Ascending version numbers as runs: `v0..v3, v5, v7..v8`. */
function versionRanges(indices: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]!;
    while (i + 1 < indices.length && indices[i + 1] === indices[i]! + 1) i++;
    runs.push(indices[i] === start ? `v${start}` : `v${start}..v${indices[i]}`);
  }
  return runs.join(', ');
}

/**
 * The LIKE patterns a digest prefix in a ref matches. Versions made before digests named their algorithm store bare
 * SHA-256 hex; newer ones `blake3:<hex>`. A bare prefix matches either.
 */
function digestPatterns(prefix: string): [string, string] {
  if (prefix.startsWith('sha256:')) return [`${prefix.slice(7)}%`, `${prefix.slice(7)}%`];
  if (prefix.startsWith('blake3:')) return [`${prefix}%`, `${prefix}%`];
  return [`${prefix}%`, `blake3:${prefix}%`];
}
