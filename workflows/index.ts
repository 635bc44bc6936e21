/**
 * Sandbox-safe workflow code. Re-export it from your own workflows file so one worker runs both:
 *
 *   export * from 'temporal-artifacts/workflows';
 *
 * It is a separate entry because a plugin's `workflowsPath` would replace yours, and because workflow code
 * must not pull in Node built-ins or activity implementations.
 */
export { logArtifactWorkflow } from './log-workflow';
export { incrementalArtifactWorkflow } from './incremental-workflow';
export { artifactDraftWorkflow } from './draft-workflow';
export { contributeUpdate, finishUpdate, draftStatusQuery, DEFAULT_DRAFT_EXPIRY_MS } from './draft-types';
export { upsertArtifactWorkflow } from './upsert-workflow';
export { fanOutWorkflow } from './fan-out-workflow';
export { shardWorkflow } from './shard-workflow';
export { fanOut } from './fan-out';
export { logArtifact, useArtifact, upsertArtifact, finishArtifact, aliasArtifact, type FinishSpec } from './artifact-calls';
export { newDraft, WorkflowDraft, type SavedWorkflowDraft } from './workflow-draft';
export { onHost } from './workflow-api-types';
export type { HostFolder, WorkflowArtifactSpec, WorkflowVersion, LoggedWorkflowVersion, CollaborativeOptions, WorkflowUpsert } from './workflow-api-types';
export { pipelineWorkflow } from './pipeline-workflow';
export { artifactTriggerWorkflow } from './trigger-workflow';
export { gcWorkflow } from './gc-workflow';
export { pipelineStatusQuery } from './pipeline-types';
export { draftWorkflowId } from './ids';
export type * from './draft-types';
export type * from './fan-out-types';
export type * from './types';
export type * from './incremental-types';
export type * from './pipeline-types';
// Typed errors inside your own workflows: `fromFailure(err) instanceof DraftConflictError`.
export * from '../errors';
export { fromFailure, toFailure } from '../errors/failure';
