/**
 * Names the library keeps for itself, which a pipeline file may not use.
 *
 * The activities temporal-artifacts registers on a worker: a pipeline's `activity:` step may call only the
 * activities the user registered: ours stage, commit and delete files with inputs they trust (prepareStep
 * empties the folder it is given), so a pipeline file must not reach them. The compiler keeps the list
 * complete: adding an activity without naming it here is a type error.
 */
import type { ArtifactActivities } from '../activities';

const LIBRARY_ACTIVITIES: Readonly<Record<keyof ArtifactActivities, true>> = {
  stageArtifact: true,
  takeEarlyStage: true,
  commitVersion: true,
  stageDraftAdds: true,
  applyDraftEdits: true,
  collectGarbageActivity: true,
  applyDraftOnLatest: true,
  mergeDraft: true,
  findDraftCommit: true,
  contributeToDraft: true,
  finishDraft: true,
  prepareStep: true,
  removeStepInputs: true,
  runStepCommand: true,
  recordOutputs: true,
  prepareIncremental: true,
  recordStepUses: true,
  readFanOutItems: true,
  lookUpStep: true,
  recordStep: true,
  lookUpShard: true,
  recordShard: true,
  claimShardHost: true,
  recordHostFiles: true,
  resolveVersion: true,
  removeOutputsDir: true,
  aliasVersion: true,
  waitForArtifact: true,
  runShard: true,
  runShardTask: true,
};

/** Whether `name` is one of the library's own activities (or a name every object has, such as constructor). */
export function isLibraryActivity(name: string): boolean {
  return Object.hasOwn(LIBRARY_ACTIVITIES, name) || name in Object.prototype;
}

/** The message for a pipeline that names one, said the same way at validate time and at run time. */
export function libraryActivityMessage(step: string, name: string): string {
  return `step "${step}" calls activity "${name}", which is not yours to call: it belongs to temporal-artifacts itself (or to every JavaScript object); an activity: step may call only activities you register on your worker yourself (Worker.create({ activities: { ... } }) beside the ArtifactsPlugin), under names of your own`;
}

/**
 * The metadata key under which a pipeline records where a version came from ({ pipeline, step, run }), so the
 * user's own keys (run, step, pipeline included) are kept as written.
 */
export const PIPELINE_METADATA_KEY = 'temporal-artifacts';
