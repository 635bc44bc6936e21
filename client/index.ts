/**
 * The client layer: the one road from a caller (the user API that ../index.ts selects from here, the `artifacts`
 * CLI, scripts) to Temporal and the store. It holds the objects a user works with (Artifact, Run, Api,
 * ArtifactVersion, Draft), the session that connects them, and the verbs of each path: log (simple), upsert and
 * finish (collaborative), save a draft (incremental), fan-out, pipelines, drafts, gc, a standalone worker and the
 * embedded dev server. Only this layer, runtime/, workflows/, activities/ and plugin/ import `@temporalio/*`.
 *
 *   const run = await init({ project: 'demo' });
 *   await run.logArtifact(new Artifact('images', 'dataset').addDir('data/'));
 *   await run.finish();
 */
export { init } from './init';
export { Run } from './run';
export { Session } from './session';
export { Artifact } from './artifact';
export { Api } from './api';
export { ArtifactVersion, Draft, LoggedVersion, SavedDraft } from './artifact-version';
export { VersionEntry } from './version-entry';
export { runFanOut, fanOutIn } from './fan-out';
export { abortDraft, listDrafts, draftsIn, listDraftsAndPending } from './drafts';
export type { PendingWriter } from './drafts';
export { runGc, scheduleGc, unscheduleGc } from './gc';
export { durationMs } from './lifecycle';
export { cancelPipeline, pipelineStatus, pipelineUiUrl, startPipeline, waitForPipeline } from './pipelines';
export { listPipelineRuns, pipelineRunView } from './pipeline-runs';
export { deployPipeline, listDeployments, undeployPipeline } from './deployments';
export type { DeploymentInfo } from './deployments';
export { runStandaloneWorker } from './worker';
export { serverStatus, startServer, stopServer } from './server';
export { workflowUiUrl } from './temporal-ui';
export { fileDigest } from './hash-file';
// Validation needs no connection; the CLI checks a pipeline file through here like everything else.
export { safeLoadPipeline } from '../dsl/load';

export type { InitOptions } from './init';
export type { ArtifactSummary } from '../store/registry/registry';
export { emptySummary, tally } from '../store/manifest/manifest-diff';
export type { SessionOptions } from './session';
export type { LogOptions } from './log';
export type { SaveDraftOptions } from './save-draft';
export type { AddLocalOptions } from './spec-ops';
export type { UpsertOptions, FinishArtifactOptions, UpsertResult } from './collaborative';
export type { RunFanOutSettings } from './fan-out';
export type { GcRunOptions, GcRunReport } from './gc';
export type { RetentionRule } from './lifecycle';
export type { StartPipelineOptions, StartedPipeline, StepProgress } from './pipelines';
export type { PipelineRunSummary, PipelineRunView, PipelineStepNode } from './pipeline-runs';
export type { WorkerReady } from './worker';
export type { DevServerInfo, DevServerState } from './server';
// What callers read in the results of the verbs above.
export type { DiffEntry } from '../store/manifest/manifest-diff';
export type { VersionChange, VersionPatch } from '../store/registry/version-edits';
export type { StageProgress } from '../store/staging/stager';
export type { SkippedPath } from '../store/staging/walk';
export type { PipelineRunResult, PipelineStatus, StepStatus } from '../workflows/pipeline-types';
export type { DownloadResult } from '../store/reading/download';
