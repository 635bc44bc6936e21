import type { SqlDb } from './sql-db';
import type { ManifestRef } from '../manifest/manifest';
import { MIGRATIONS } from './registry-schema';
import { checkAlias, DEFAULT_PROJECT, formatRef, parseRef, qualifiedName, refInProject, splitName, type ArtifactRef } from './ref';
import { ArtifactNotFoundError, TypeMismatchError, UsageError } from '../../errors';
import { changesOf, dropAlias, placeAlias, tagsOf, updateVersion, type EditContext, type VersionChange, type VersionPatch } from './version-edits';

/** Who made a version: the workflow and run that committed it. */
export type { Producer, WorkflowCaller } from './producer';
import type { Producer } from './producer';

export interface VersionRecord {
  /** The name with its project, `project/name`, or just `name` in the default project (see qualifiedName). */
  readonly name: string;
  readonly project: string;
  readonly type: string;
  readonly index: number;
  /** `v0`, `v1`, ... */
  readonly version: string;
  readonly digest: string;
  readonly manifest: ManifestRef;
  readonly aliases: readonly string[];
  /** Labels that, unlike aliases, many versions may share. */
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The version an incremental draft started from. */
  readonly base: string | null;
  readonly producer: Producer | null;
  readonly createdAt: string;
}

export interface CommitInput {
  /** With its project (see qualifiedName): `project/name`, or `name` in the default project. */
  readonly name: string;
  readonly type: string;
  readonly manifest: ManifestRef;
  readonly aliases?: readonly string[];
  readonly description?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** One key per logical commit (derived from the workflow id): a retried or replayed commit returns the first result. */
  readonly idempotencyKey: string;
  readonly producer?: Producer | undefined;
  readonly baseIndex?: number | undefined;
  /** Versions this one was made from (lineage). */
  readonly uses?: readonly { name: string; index: number }[] | undefined;
}

export interface CommitResult {
  readonly version: VersionRecord;
  /** False when the content equalled `latest` (no new version) or the key had committed before. */
  readonly created: boolean;
}

export interface ArtifactSummary {
  /** With its project, as in VersionRecord. */
  readonly name: string;
  readonly project: string;
  readonly type: string;
  readonly versions: number;
  readonly latest: string;
  readonly updatedAt: string;
}

interface VersionRow {
  name: string; type: string; idx: number | string; digest: string; manifest_root: string; file_count: number | string;
  total_size: number | string; description: string | null; metadata: string; base_idx: number | string | null;
  producer: string | null; created_at: string;
}

const VERSION_COLUMNS = `v.name, a.type, v.idx, v.digest, v.manifest_root, v.file_count, v.total_size, v.description,
  v.metadata, v.base_idx, v.producer, v.created_at`;

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
   * Commits a version, or returns the one this idempotency key already committed, or returns `latest` when the
   * content is identical to it (adding the requested aliases). Moves custom aliases onto the result.
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

      const latest = (await tx.all<{ idx: number | string; digest: string }>(
        'SELECT idx, digest FROM versions WHERE name = ? ORDER BY idx DESC LIMIT 1', [input.name]))[0];
      let index: number;
      let created: boolean;
      if (latest && latest.digest === input.manifest.digest) {
        index = Number(latest.idx);
        created = false;
      } else {
        index = latest ? Number(latest.idx) + 1 : 0;
        created = true;
        await tx.run(
          `INSERT INTO versions (name, idx, digest, manifest_root, file_count, total_size, description, metadata, base_idx, producer, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [input.name, index, input.manifest.digest, input.manifest.root, input.manifest.count, input.manifest.size,
            input.description ?? null, JSON.stringify(input.metadata ?? {}), input.baseIndex ?? null,
            input.producer ? JSON.stringify(input.producer) : null, now]);
        for (const used of input.uses ?? []) {
          await tx.run('INSERT INTO version_uses (name, idx, used_name, used_idx) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [input.name, index, used.name, used.index]);
        }
        await this.moveAlias(tx, input.name, 'latest', index);
      }
      const ctx = { actor: input.producer?.run ?? input.producer?.workflowId ?? 'unknown' };
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
    const exists = (await this.db.all('SELECT 1 FROM artifacts WHERE name = ?', [ref.name])).length > 0;
    if (!exists) {
      const { project: owner, name } = splitName(ref.name);
      const where = owner === DEFAULT_PROJECT ? '' : ` in project ${JSON.stringify(owner)}`;
      throw new ArtifactNotFoundError(shown, `No artifact is named ${JSON.stringify(name)}${where}; run \`artifacts ls\` to see the names that exist (\`--all-projects\` lists every project).`);
    }
    let index: number | undefined;
    if (ref.kind === 'version') {
      const row = await this.db.all<{ idx: number }>('SELECT idx FROM versions WHERE name = ? AND idx = ?', [ref.name, ref.index]);
      index = row[0] ? Number(row[0].idx) : undefined;
    } else if (ref.kind === 'alias') {
      const row = await this.db.all<{ idx: number }>('SELECT idx FROM aliases WHERE name = ? AND alias = ?', [ref.name, ref.alias]);
      index = row[0] ? Number(row[0].idx) : undefined;
    } else {
      const rows = await this.db.all<{ idx: number }>('SELECT idx FROM versions WHERE name = ? AND digest LIKE ? ORDER BY idx', [ref.name, `${ref.digest}%`]);
      if (rows.length > 1 && new Set(rows.map((r) => r.idx)).size > 1) {
        throw new ArtifactNotFoundError(shown, 'The digest prefix matches more than one version; give more digits.');
      }
      index = rows[0] ? Number(rows[0].idx) : undefined;
    }
    if (index === undefined) {
      const known = await this.versions(ref.name);
      const aliases = [...new Set(known.flatMap((v) => v.aliases))].sort();
      throw new ArtifactNotFoundError(shown,
        `${JSON.stringify(ref.name)} has versions v0..v${known.length - 1} and aliases ${aliases.join(', ')}; run \`artifacts ls ${ref.name}\` to list them.`);
    }
    return this.byIndex(this.db, ref.name, index);
  }

  /** A name's versions; `name` without a project is looked up in `project`. */
  async versions(bare: string, project: string = DEFAULT_PROJECT): Promise<VersionRecord[]> {
    const name = qualifiedName(project, bare);
    const rows = await this.db.all<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions v JOIN artifacts a ON a.name = v.name WHERE v.name = ? ORDER BY v.idx`, [name]);
    const aliases = await this.aliasesOf(this.db, name);
    const tags = await tagsOf(this.db, name);
    return rows.map((r) => toRecord(r, aliases.get(Number(r.idx)) ?? [], tags.get(Number(r.idx)) ?? []));
  }

  /** The names of one project, or of every project when `project` is null. */
  async artifacts(project: string | null = DEFAULT_PROJECT): Promise<ArtifactSummary[]> {
    const rows = await this.db.all<{ name: string; project: string; type: string; n: number | string; top: number | string; updated: string }>(
      `SELECT a.name, a.project, a.type, COUNT(v.idx) AS n, MAX(v.idx) AS top, MAX(v.created_at) AS updated
       FROM artifacts a JOIN versions v ON v.name = a.name ${project === null ? '' : 'WHERE a.project = ?'}
       GROUP BY a.name, a.project, a.type ORDER BY a.project, a.name`, project === null ? [] : [project]);
    return rows.map((r) => ({ name: r.name, project: r.project, type: r.type, versions: Number(r.n), latest: `v${r.top}`, updatedAt: r.updated }));
  }

  /** Points a custom alias at a version, taking it off whichever version held it (a protected one only with `force`). */
  async setAlias(name: string, alias: string, index: number, ctx: EditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.byIndex(tx, name, index);
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

  /** Every manifest root held by a committed version (for garbage collection). */
  async manifestRoots(): Promise<string[]> {
    return (await this.db.all<{ manifest_root: string }>('SELECT DISTINCT manifest_root FROM versions')).map((r) => r.manifest_root);
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
    const row = (await db.all<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions v JOIN artifacts a ON a.name = v.name WHERE v.name = ? AND v.idx = ?`, [name, index]))[0];
    if (!row) throw new ArtifactNotFoundError(`${name}:v${index}`, `Run \`artifacts ls ${name}\` to list its versions.`);
    return toRecord(row, (await this.aliasesOf(db, name, index)).get(index) ?? [], (await tagsOf(db, name, index)).get(index) ?? []);
  }
}

function toRecord(r: VersionRow, aliases: readonly string[], tags: readonly string[]): VersionRecord {
  const index = Number(r.idx);
  return {
    name: r.name,
    project: splitName(r.name).project,
    type: r.type,
    index,
    version: `v${index}`,
    digest: r.digest,
    manifest: { root: r.manifest_root, digest: r.digest, count: Number(r.file_count), size: Number(r.total_size) },
    aliases: [...aliases].sort((a, b) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b))),
    tags,
    description: r.description,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    base: r.base_idx === null ? null : `v${r.base_idx}`,
    producer: r.producer ? (JSON.parse(r.producer) as Producer) : null,
    createdAt: r.created_at,
  };
}
