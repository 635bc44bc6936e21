/**
 * Activity implementations: everything that touches files, databases or the network. Build them with
 * `createActivities(deps)` and register them on a worker (ArtifactsPlugin does both).
 */
import { createCommitActivity } from './commit-activity';
import { createApplyDraftActivity, createStageDraftActivity } from './incremental-activities';
import { withFailures } from './failures';
import { createStageActivity } from './stage-activity';
import type { Store } from '../store/store';

export interface ActivityDeps {
  /** Opens (once) the store the activities write to. */
  readonly store: () => Promise<Store>;
  /** Caps upload speed per staging activity; undefined for no cap. */
  readonly maxBytesPerSecond?: number | undefined;
}

export function createActivities(deps: ActivityDeps) {
  return {
    stageArtifact: withFailures(createStageActivity(deps.store, deps.maxBytesPerSecond)),
    commitVersion: withFailures(createCommitActivity(deps.store)),
    stageDraftAdds: withFailures(createStageDraftActivity(deps.store, deps.maxBytesPerSecond)),
    applyDraftEdits: withFailures(createApplyDraftActivity(deps.store)),
  };
}

export type ArtifactActivities = ReturnType<typeof createActivities>;
export type { StageInput } from './stage-activity';
