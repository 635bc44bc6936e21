import { ArtifactVersion } from './artifact-version';
import { deleteName, setDefaultTtl, setNameRetention, type RetentionRule } from './lifecycle';
import { configFromEnv } from '../runtime/config';
import { once } from '../plugin/artifacts-plugin';
import { checkProjectName, qualifiedName } from '../store/registry/ref';
import type { ArtifactSummary } from '../store/registry/registry';
import { Store } from '../store/store';
import { protectedAliases, setProtected, type VersionChange } from '../store/registry/version-edits';
import { actorOf } from './actor';
import { decodeNameCursor, encodeNameCursor, pageLimit, versionNumber } from './page-cursors';

/**
 * Read access to the registry: find versions by ref, list names and versions. Needs no Temporal connection. Names
 * without a project are looked up in this Api's project (`project`, else `ARTIFACTS_PROJECT`, else `default`);
 * `other/name:v3` reaches into another one.
 */
export class Api {
  private readonly store: () => Promise<Store>;
  readonly project: string;
  private readonly actor: string;

  constructor(options: { env?: NodeJS.ProcessEnv; project?: string } = {}) {
    const config = configFromEnv(options.env);
    this.project = options.project === undefined ? config.project : checkProjectName(options.project);
    this.store = once(() => Store.fromConfig(config));
    this.actor = actorOf(options.env);
  }

  /** `name:vN`, `name:alias`, `name:latest`, `name` (latest) or `name@digest`, each optionally `project/name...`. */
  async artifact(ref: string): Promise<ArtifactVersion> {
    const store = await this.store();
    return new ArtifactVersion(await store.registry.resolve(ref, this.project), this.store, store, this.actor);
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    const store = await this.store();
    return (await store.registry.versions(name, this.project)).map((r) => new ArtifactVersion(r, this.store, store, this.actor));
  }

  /** The names of this Api's project, or of every project with `allProjects`. */
  async artifacts(options: { allProjects?: boolean } = {}): Promise<ArtifactSummary[]> {
    return (await this.store()).registry.artifacts(options.allProjects ? null : this.project);
  }

  /**
   * One page of names (default 1,000), in (project, name) order; `next` is the cursor to pass as `after` for the
   * following page, absent on the last. Keyset paging: a name committed meanwhile never repeats or hides another.
   */
  async artifactsPage(options: { allProjects?: boolean; after?: string; limit?: number } = {}): Promise<{ items: ArtifactSummary[]; next?: string }> {
    const registry = (await this.store()).registry;
    const page = await registry.artifactsPage(options.allProjects ? null : this.project, { ...pageLimit(options.limit), ...(options.after ? { after: decodeNameCursor(options.after) } : {}) });
    return page.next ? { items: page.items, next: encodeNameCursor(page.next) } : { items: page.items };
  }

  /** One page of a name's versions in version order, after version `after` (`v41` or 41); `next` is the last one's number. */
  async versionsPage(name: string, options: { after?: string | number; limit?: number } = {}): Promise<{ items: ArtifactVersion[]; next?: number }> {
    const store = await this.store();
    const after = options.after === undefined ? {} : { after: versionNumber(options.after) };
    const page = await store.registry.versionsPage(name, this.project, { ...pageLimit(options.limit), ...after });
    const items = page.items.map((r) => new ArtifactVersion(r, this.store, store, this.actor));
    return page.next === undefined ? { items } : { items, next: page.next };
  }

  /** The recorded alias moves and edits of every version of `name` (in this Api's project, or `project/name`), oldest first. */
  async history(name: string): Promise<VersionChange[]> {
    return (await this.store()).registry.changes(qualifiedName(this.project, name));
  }

  /**
   * Protects aliases of this Api's project (or `project`), such as `production`: from now on they move or go only
   * when forced (`addAlias(alias, { force: true })`, `artifacts alias REF ALIAS --force`), and each move is recorded.
   */
  async protectAliases(aliases: readonly string[], options: { project?: string } = {}): Promise<void> {
    await this.setProtected(aliases, true, options.project);
  }

  async unprotectAliases(aliases: readonly string[], options: { project?: string } = {}): Promise<void> {
    await this.setProtected(aliases, false, options.project);
  }

  async protectedAliases(options: { project?: string } = {}): Promise<string[]> {
    return protectedAliases((await this.store()).registry.db, checkProjectName(options.project ?? this.project));
  }

  /**
   * Deletes every version of a name: each ref to them then fails saying when and by whom, and `artifacts gc` frees
   * their files. Versions holding custom aliases need `{ force: true }`. Returns the refs deleted.
   */
  async deleteName(name: string, options: { force?: boolean } = {}): Promise<string[]> {
    return deleteName(await this.store(), this.project, name, options);
  }

  /** Keeps only what `rule` keeps of a name (e.g. `{ keep: { last: 10, aliased: true } }`) from the next gc on; null removes the rule. */
  async setRetention(name: string, rule: RetentionRule | null): Promise<void> {
    await setNameRetention(await this.store(), this.project, name, rule);
  }

  /** The TTL (`30d`, or milliseconds) new versions of `type` in this project get when they name none; null removes it. */
  async setDefaultTtl(type: string, ttl: string | number | null): Promise<void> {
    await setDefaultTtl(await this.store(), this.project, type, ttl);
  }

  async close(): Promise<void> {
    await (await this.store()).close();
  }

  private async setProtected(aliases: readonly string[], protect: boolean, project = this.project): Promise<void> {
    await (await this.store()).registry.db.transaction((tx) => setProtected(tx, checkProjectName(project), aliases, protect, this.actor));
  }
}
