import { ArtifactVersion } from './artifact-version';
import { configFromEnv } from '../runtime/config';
import { once } from '../plugin/artifacts-plugin';
import { checkProjectName } from '../store/registry/ref';
import type { ArtifactSummary } from '../store/registry/registry';
import { Store } from '../store/store';

/**
 * Read access to the registry: find versions by ref, list names and versions. Needs no Temporal connection. Names
 * without a project are looked up in this Api's project (`project`, else `ARTIFACTS_PROJECT`, else `default`);
 * `other/name:v3` reaches into another one.
 */
export class Api {
  private readonly store: () => Promise<Store>;
  readonly project: string;

  constructor(options: { env?: NodeJS.ProcessEnv; project?: string } = {}) {
    const config = configFromEnv(options.env);
    this.project = options.project === undefined ? config.project : checkProjectName(options.project);
    this.store = once(() => Store.fromConfig(config));
  }

  /** `name:vN`, `name:alias`, `name:latest`, `name` (latest) or `name@digest`, each optionally `project/name...`. */
  async artifact(ref: string): Promise<ArtifactVersion> {
    const store = await this.store();
    return new ArtifactVersion(await store.registry.resolve(ref, this.project), this.store, store);
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    const store = await this.store();
    return (await store.registry.versions(name, this.project)).map((r) => new ArtifactVersion(r, this.store, store));
  }

  /** The names of this Api's project, or of every project with `allProjects`. */
  async artifacts(options: { allProjects?: boolean } = {}): Promise<ArtifactSummary[]> {
    return (await this.store()).registry.artifacts(options.allProjects ? null : this.project);
  }

  async close(): Promise<void> {
    await (await this.store()).close();
  }
}
