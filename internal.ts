/**
 * What tests, benchmarks and scripts reach into beyond the user API: the store, manifests, the runtime and the
 * activities. Not a stable interface: it follows the code's layout (see ARCHITECTURE.md).
 */
export * from './index';
export { Session, cancelPipeline, pipelineStatus, startPipeline, waitForPipeline } from './client';
export { StepCache } from './store/registry/step-cache';
export { draftWorkflowId, logWorkflowId, pipelineWorkflowId, shardWorkflowId, upsertWorkflowId } from './workflows/ids';
export { collectGarbage } from './store/gc';
export { RecentBlobs, withRecentBlobs } from './store/blobs/recent-blobs';
export { MERGE_CACHE_BYTES } from './activities/draft-activities';
export { deleteVersions, expireVersions } from './store/registry/version-lifecycle';
export { LocalBlobStore } from './store/blobs/local-blob-store';
export { ReadCache } from './store/blobs/read-cache';
export { ownedTempName } from './store/owned-temps';
export { HashCopyPool } from './store/blobs/hash-copy-pool';
export { Store } from './store/store';
export { markDataFolder } from './store/data-folder';
export { sharedSession } from './client/shared-session';
export { runEach } from './client/run-each';
export { downloadVersion, verifyVersion } from './store/version-files';
export { StatCache } from './store/reading/stat-cache';
export { placedBytes } from './store/reading/state-table';
export { stageSpec } from './store/staging/stager';
export { normalizeEntryPath, resolveInside } from './store/paths';
export { stagingHeapGrowth, withStagingHeapGrowth, STAGING_HEAP_GROWTH_PERCENT } from './store/staging/heap-growth';
export { ManifestWriter, readLeaves, readManifest, versionDigestOf, writeManifest } from './store/manifest/manifest';
export { editManifest, editTree } from './store/manifest/manifest-edit';
export { mergeContributions, settleDraft } from './store/drafts/draft-merge';
export { diffManifests, summarizeDiff } from './store/manifest/manifest-diff';
export { changesBetween, decodeChanges, encodeChanges } from './store/manifest/manifest-changes';
export { ChunkReader } from './store/manifest/manifest-cursor';
export { createActivities } from './activities';
export { withFailures } from './activities/failures';
export { fromFailure, toFailure, REVIVED_CODES } from './errors/failure';
export { artifactsHome, configFromEnv, hostQueueOf } from './runtime/config';
export { makeOutputsFolder, removeOutputsFolder } from './activities/outputs-folder';
export { ProcessTree } from './activities/process-tree';
export { startWorkers, workflowSource } from './runtime/worker';
export { startDevServer, ensureDevServer, devServerStatus, stopDevServer } from './runtime/dev-server';
export { DEFAULT_DRAFT_EXPIRY_MS } from './workflows/draft-types';
export { renderCommand, renderShardArg } from './dsl/command';
export { placeInShell } from './dsl/shell';
export { parseExpression, pathsOf, truthy } from './dsl/expressions';

export type { ArtifactActivities, ActivityDeps } from './activities';
export type { ManifestRef, ManifestTree } from './store/manifest/manifest';
export type { Contribution, DraftIndex } from './store/drafts/draft-merge';
export type { ManifestEdit, EditResult, EditChanges } from './store/manifest/manifest-edit';
export type { GcOptions, GcReport } from './store/gc';
export type { IncrementalInput } from './workflows/incremental-types';
export type { BlobStore, IngestCheckpoint, IngestOptions, IngestResult } from './store/blobs/blob-store';
export type { LogArtifactInput } from './workflows/types';
export { startUiServer } from './ui/server';
export { nativeHelper } from './store/blobs/native';
export { packSmallBatch, placeChunk, placeSmall } from './store/blobs/placing-jobs';
export { stillPlaced } from './store/reading/placed-check';
export { runSmallBatch } from './store/blobs/small-batch-job';
export { runChunkJob } from './store/blobs/chunk-job';
