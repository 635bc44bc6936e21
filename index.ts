/**
 * temporal-artifacts: versioned ML artifacts created in simple, collaborative and incremental modes, run
 * durably as Temporal workflows. This entry is the user API; what tests and benchmarks reach into lives behind
 * `temporal-artifacts/internal`, and workflow code imports `temporal-artifacts/workflows`.
 *
 *   import { init, Artifact, Api } from 'temporal-artifacts';
 *   const run = await init({ project: 'demo' });
 *   const artifact = new Artifact('images', 'dataset');
 *   artifact.addFile('image1.png');
 *   const v = await run.logArtifact(artifact);   // { name, version: 'v0', digest, aliases, ... }
 *   await run.finish();
 */
export {
  init, Run, Artifact, Api, ArtifactVersion, VersionEntry, Draft, LoggedVersion, SavedDraft, runGc, scheduleGc, unscheduleGc, listDrafts, abortDraft, runFanOut, startPipeline, waitForPipeline,
} from './client';
export { ArtifactsPlugin } from './plugin/artifacts-plugin';
export { outputsDir } from './plugin/outputs-dir';
export { keptAlive } from './activities/kept-alive';
export * from './errors';

export type {
  InitOptions, LogOptions, SaveDraftOptions, AddLocalOptions, RunFanOutSettings, StartPipelineOptions, StartedPipeline, StepProgress, GcRunOptions, GcRunReport, RetentionRule,
  UpsertOptions, FinishArtifactOptions, UpsertResult, PendingWriter,
} from './client';
export type { PipelineRunInput, PipelineRunResult, PipelineStatus, StepStatus, StepOutputs } from './workflows/pipeline-types';
export type { ArtifactsPluginOptions } from './plugin/artifacts-plugin';
export type { ArtifactsConfig } from './runtime/config';
export type { ManifestEntry } from './store/manifest/manifest';
export type { DiffEntry, DiffSummary } from './store/manifest/manifest-diff';
export type { Lineage, VersionDiff } from './store/registry/lineage';
export type { IncrementalResult, ChangeCounts } from './workflows/incremental-types';
export type { VersionRecord, ArtifactSummary, Producer } from './store/registry/registry';
export type { VersionChange, VersionPatch, ChangeKind } from './store/registry/version-edits';
export type { StageProgress, StageResult } from './store/staging/stager';
export type { SkippedPath } from './store/staging/walk';
export type { VerifyReport, DownloadResult, DownloadOptions, Mismatch } from './store/version-files';
export type { LogArtifactResult, WorkflowCaller } from './workflows/types';
export type { HostFolder } from './workflows/workflow-api-types';
export type { DraftOptions, DraftStatus, DraftResult, FinishResult } from './workflows/draft-types';
export type { FanOutOptions, FanOutResult, ShardCommand } from './workflows/fan-out-types';
