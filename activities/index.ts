/**
 * Activity implementations: everything that touches files, databases or the network. Build them with
 * `createActivities(deps)` and register them on a worker (ArtifactsPlugin does both).
 */
import path from 'node:path';
import { createCommitActivity } from './commit-activity';
import { createApplyDraftActivity, createRebaseDraftActivity, createStageDraftActivity } from './incremental-activities';
import { createDraftActivities } from './draft-activities';
import { createDraftClientActivities } from './draft-client-activities';
import { withFailures } from './failures';
import { keptAlive } from './kept-alive';
import { createGcActivity } from './gc-activity';
import { createPipelineActivities } from './pipeline-activities';
import { createShardActivities } from './shard-activity';
import { createStepCacheActivities } from './step-cache-activities';
import { createTriggerActivities } from './trigger-activities';
import { createFanOutItemsActivities } from './fan-out-items';
import { createStageActivity, createTakeEarlyStageActivity } from './stage-activity';
import { createWorkflowCallActivities } from './workflow-call-activities';
import { configFromEnv, hostQueueOf } from '../runtime/config';
import type { Store } from '../store/store';
import { scratchFolderOf } from '../store/data-folder';

export interface ActivityDeps {
  /** Opens (once) the store the activities write to. */
  readonly store: () => Promise<Store>;
  /** Caps upload speed per staging activity; undefined for no cap. */
  readonly maxBytesPerSecond?: number | undefined;
  /** This worker's host queue, where fan-out shards it claims run (default: from the environment, as `artifacts worker` computes it). */
  readonly hostQueue?: string | undefined;
  /** Where shards' private output folders are made (default: `scratch` in the data folder, ARTIFACTS_HOME). */
  readonly scratchDir?: string | undefined;
}

export function createActivities(deps: ActivityDeps) {
  return {
    stageArtifact: withFailures(createStageActivity(deps.store, deps.maxBytesPerSecond)),
    takeEarlyStage: withFailures(createTakeEarlyStageActivity(deps.store)),
    commitVersion: withFailures(keptAlive(createCommitActivity(deps.store))),
    stageDraftAdds: withFailures(createStageDraftActivity(deps.store, deps.maxBytesPerSecond)),
    applyDraftEdits: withFailures(keptAlive(createApplyDraftActivity(deps.store))),
    collectGarbageActivity: withFailures(keptAlive(createGcActivity(deps.store))),
    applyDraftOnLatest: withFailures(keptAlive(createRebaseDraftActivity(deps.store))),
    ...wrapAll(createDraftActivities(deps.store), keptAlive),
    ...wrapAll(createDraftClientActivities(), keptAlive),
    ...wrapAll(createPipelineActivities(deps.store), keptAlive),
    ...wrapAll(createStepCacheActivities(deps.store), keptAlive),
    ...wrapAll(createTriggerActivities(deps.store)),
    ...wrapAll(createFanOutItemsActivities(deps.store), keptAlive),
    ...wrapAll(createShardActivities(deps.store, () => deps.hostQueue ?? hostQueueOf(configFromEnv()), () => scratchOf(deps))),
    ...wrapAll(createWorkflowCallActivities(deps.store, () => outputsRootOf(deps)), keptAlive),
  };
}

function scratchOf(deps: ActivityDeps): string {
  return deps.scratchDir ?? scratchFolderOf(configFromEnv().home);
}

/** Where `outputsDir()` makes activities' output folders: beside the shards' scratch folders. */
export function outputsRootOf(deps: ActivityDeps): string {
  return path.join(scratchOf(deps), 'activity-outputs');
}

/**
 * Each activity typed on failure; with `keptAlive`, also heartbeating while it runs, for groups that send no heartbeat
 * of their own (their workflows give them a heartbeat timeout). In the pipeline group, `runStepCommand` already beats
 * every second and carries no details, so the extra beat is harmless; groups whose beats carry resume details
 * (staging, shards) are never wrapped: a plain beat would overwrite them.
 */
function wrapAll<T extends Record<string, (...args: never[]) => Promise<unknown>>>(fns: T, alive?: typeof keptAlive): T {
  return Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, withFailures(alive ? alive(fn) : fn)])) as T;
}

export type ArtifactActivities = ReturnType<typeof createActivities>;
export type { StageInput } from './stage-activity';
export type { GcActivityInput, GcActivityResult } from './gc-activity';
