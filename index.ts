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
export { init } from './client/init';
export { Artifact } from './client/artifact';
export { Api } from './client/api';
export { ArtifactVersion, Draft, LoggedVersion, SavedDraft } from './client/artifact-version';
export { Run } from './client/run';
export { runGc } from './client/gc';
export { listDrafts } from './client/drafts';
export { runFanOut } from './client/fan-out';
export { startPipeline, waitForPipeline } from './client/pipelines';
export { ArtifactsPlugin } from './plugin/artifacts-plugin';
export * from './errors';
export * from './errors/draft-errors';

export type { InitOptions } from './client/init';
export type { LogOptions } from './client/log';
export type { AddLocalOptions } from './client/spec-ops';
export type { RunFanOutSettings } from './client/fan-out';
export type { StartPipelineOptions, StartedPipeline, StepProgress } from './client/pipelines';
export type { PipelineRunInput, PipelineRunResult, PipelineStatus, StepStatus, StepOutputs } from './workflows/pipeline-types';
export type { ArtifactsPluginOptions } from './plugin/artifacts-plugin';
export type { ArtifactsConfig } from './runtime/config';
export type { ManifestEntry } from './store/manifest/manifest';
export type { DiffEntry, DiffSummary } from './store/manifest/manifest-diff';
export type { Lineage, VersionDiff } from './store/registry/lineage';
export type { GcRunOptions, GcRunReport } from './client/gc';
export type { IncrementalResult, ChangeCounts } from './workflows/incremental-types';
export type { VersionRecord, ArtifactSummary, Producer } from './store/registry/registry';
export type { StageProgress, StageResult } from './store/staging/stager';
export type { SkippedPath } from './store/staging/walk';
export type { VerifyReport, DownloadResult, Mismatch } from './store/version-files';
export type { LogArtifactResult } from './workflows/types';
export type { UpsertOptions, FinishArtifactOptions, UpsertResult } from './client/collaborative';
export type { DraftOptions, DraftStatus, DraftResult, FinishResult } from './workflows/draft-types';
export type { FanOutOptions, FanOutResult, ShardCommand } from './workflows/fan-out-types';
