import { ArtifactVersion } from './artifact-version';
import { configFromEnv } from '../runtime/config';
import { once } from '../plugin/artifacts-plugin';
import type { ArtifactSummary } from '../store/registry/registry';
import { Store } from '../store/store';

/** Read access to the registry: find versions by ref, list names and versions. Needs no Temporal connection. */
export class Api {
  private readonly store: () => Promise<Store>;

  constructor(options: { env?: NodeJS.ProcessEnv } = {}) {
    const config = configFromEnv(options.env);
    this.store = once(() => Store.fromConfig(config));
  }

  /** `name:vN`, `name:alias`, `name:latest`, `name` (latest) or `name@digest`. */
  async artifact(ref: string): Promise<ArtifactVersion> {
    const store = await this.store();
    return new ArtifactVersion(await store.registry.resolve(ref), this.store, store);
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    const store = await this.store();
    return (await store.registry.versions(name)).map((r) => new ArtifactVersion(r, this.store, store));
  }

  async artifacts(): Promise<ArtifactSummary[]> {
    return (await this.store()).registry.artifacts();
  }

  async close(): Promise<void> {
    await (await this.store()).close();
  }
}
