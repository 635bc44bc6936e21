/**
 * temporal-artifacts: versioned ML artifacts created in simple, collaborative and incremental modes, run
 * durably as Temporal workflows.
 *
 *   import { init, Artifact, Api } from 'temporal-artifacts';
 *   const run = await init({ project: 'demo' });
 *   const artifact = new Artifact('images', 'dataset');
 *   artifact.addFile('image1.png');
 *   const v = await run.logArtifact(artifact);   // { name, version: 'v0', digest, aliases, ... }
 *   await run.finish();
 */
export { init } from './api/init';
export { Artifact } from './api/artifact';
export { Api } from './api/api';
export { ArtifactVersion, LoggedVersion, SavedDraft } from './api/artifact-version';
export { Draft } from './api/draft';
export { runGc } from './api/gc';
export { collectGarbage } from './store/gc';
export { LocalBlobStore } from './store/local-blob-store';
export { Run } from './api/run';
export { startPipeline, waitForPipeline, pipelineWorkflowId } from './api/pipeline-runs';
export { Session } from './api/session';
export { ArtifactsPlugin } from './plugin/artifacts-plugin';
export { createActivities } from './activities';
export { Store, artifactsHome } from './store/store';
export { ManifestWriter, readManifest, versionDigestOf, writeManifest } from './store/manifest';
export { editManifest } from './store/manifest-edit';
export { diffManifests, summarizeDiff } from './store/manifest-diff';
export { ChunkReader } from './store/manifest-cursor';
export { configFromEnv, hostQueueOf } from './runtime/config';
export { startWorkers, workflowSource } from './runtime/worker';
export { startDevServer, ensureDevServer, devServerStatus, stopDevServer } from './runtime/dev-server';
export * from './errors';
export * from './errors/draft-errors';
export { listDrafts } from './api/drafts';
export { runFanOut } from './api/fan-out-client';
export { draftWorkflowId, DEFAULT_DRAFT_EXPIRY_MS } from './workflows/draft-types';

export type { InitOptions } from './api/init';
export type { LogOptions } from './api/run';
export type { AddLocalOptions } from './api/spec-ops';
export type { StartPipelineOptions, StartedPipeline, StepProgress } from './api/pipeline-runs';
export type { PipelineRunInput, PipelineRunResult, PipelineStatus, StepStatus, StepOutputs } from './workflows/pipeline-types';
export type { ArtifactActivities, ActivityDeps } from './activities';
export type { ArtifactsPluginOptions } from './plugin/artifacts-plugin';
export type { ArtifactsConfig } from './runtime/config';
export type { ManifestEntry, ManifestRef } from './store/manifest';
export type { ManifestEdit, EditResult, EditChanges } from './store/manifest-edit';
export type { DiffEntry, DiffSummary } from './store/manifest-diff';
export type { Lineage, VersionDiff } from './store/lineage';
export type { GcOptions, GcReport } from './store/gc';
export type { GcRunOptions, GcRunReport } from './api/gc';
export type { IncrementalInput, IncrementalResult, ChangeCounts } from './workflows/incremental-types';
export type { VersionRecord, ArtifactSummary, Producer } from './store/registry';
export type { StageProgress, StageResult } from './store/stager';
export type { VerifyReport, DownloadResult, Mismatch } from './store/version-files';
export type { BlobStore, IngestCheckpoint, IngestOptions, IngestResult } from './store/blob-store';
export type { LogArtifactInput, LogArtifactResult } from './workflows/types';
export type { UpsertOptions, FinishArtifactOptions, UpsertResult } from './api/collaborative';
export type { DraftOptions, DraftStatus, DraftResult, FinishResult } from './workflows/draft-types';
export type { FanOutOptions, FanOutResult, ShardCommand } from './workflows/fan-out-types';
