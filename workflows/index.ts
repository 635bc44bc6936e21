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
export { artifactDraftWorkflow, contributeUpdate, finishUpdate, draftStatusQuery } from './draft-workflow';
export { upsertArtifactWorkflow } from './upsert-workflow';
export { fanOutWorkflow } from './fan-out-workflow';
export { shardWorkflow } from './shard-workflow';
export { fanOut } from './fan-out';
export { pipelineWorkflow, pipelineStatusQuery } from './pipeline-workflow';
export { draftWorkflowId, DEFAULT_DRAFT_EXPIRY_MS } from './draft-types';
export type * from './draft-types';
export type * from './fan-out-types';
export type * from './types';
export type * from './incremental-types';
export type * from './pipeline-types';
