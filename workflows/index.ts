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
export type * from './types';
export type * from './incremental-types';
