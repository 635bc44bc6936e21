import { SimplePlugin } from '@temporalio/plugin';
import { createActivities, type ActivityDeps } from '../activities';
import { configFromEnv } from '../runtime/config';
import { Store } from '../store/store';

export interface ArtifactsPluginOptions {
  /** The store activities write to; opened from the environment (ARTIFACTS_HOME, ARTIFACTS_REGISTRY, ARTIFACTS_STORE) when omitted. */
  readonly store?: (() => Promise<Store>) | undefined;
  /** Caps upload speed per staging activity. */
  readonly maxBytesPerSecond?: number | undefined;
  /** This worker's host queue, answered to fan-out shards it claims (default: computed from the environment). */
  readonly hostQueue?: string | undefined;
  /** Where fan-out shards' private output folders are made (default: `scratch` in the data folder). */
  readonly scratchDir?: string | undefined;
}

/**
 * Registers the artifact activities on a worker. Workflow code is not registered here (a plugin's
 * workflowsPath would replace the user's): re-export `temporal-artifacts/workflows` from your workflows file.
 *
 *   const worker = await Worker.create({ plugins: [new ArtifactsPlugin()], workflowsPath, taskQueue, ... });
 */
export class ArtifactsPlugin extends SimplePlugin {
  constructor(options: ArtifactsPluginOptions = {}) {
    const deps: ActivityDeps = { store: options.store ?? once(() => Store.fromConfig(configFromEnv())), maxBytesPerSecond: options.maxBytesPerSecond, hostQueue: options.hostQueue, scratchDir: options.scratchDir };
    super({ name: 'temporal-artifacts', activities: createActivities(deps) });
  }
}

/** Memoizes an async factory: every caller shares the first call's result. */
export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= factory());
}
