import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { UsageError } from '../errors';
import { toFailure } from '../errors/failure';
import { callWorkflowId } from './ids';
import { logArtifactWorkflow } from './log-workflow';
import { ACTIVITY_RETRY, HOST_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { WorkflowCaller } from './types';
import { upsertArtifactWorkflow } from './upsert-workflow';
import {
  workflowVersionOf, type CollaborativeOptions, type HostFolder, type LoggedWorkflowVersion, type WorkflowArtifactSpec, type WorkflowUpsert, type WorkflowVersion,
} from './workflow-api-types';

/** Registry work, on the calling workflow's own queue (its worker has the ArtifactsPlugin). */
export const registry = proxyActivities<ArtifactActivities>({ startToCloseTimeout: '1 minute', heartbeatTimeout: LOST_WORKER_AFTER, retry: ACTIVITY_RETRY });

/** File work on the host that has the files; retried there without limit, like every staging. */
export function onHostOf(from: HostFolder) {
  if (!from?.hostQueue) throw toFailure(new UsageError('Files for an artifact need the host that has them: pass outputsDir() from an activity, or onHost(host, { dir }) with that host\'s id.'));
  return proxyActivities<ArtifactActivities>({ taskQueue: from.hostQueue, startToCloseTimeout: '10 minutes', heartbeatTimeout: LOST_WORKER_AFTER, retry: HOST_RETRY });
}

/** Per workflow execution (the sandbox gives each its own module state): how many calls of a kind each name had. */
const calls = new Map<string, number>();

/** A child id derived from the calling workflow and the call's place in it, so a replay or retry attaches. */
export function nextCallId(kind: 'log' | 'upsert' | 'finish' | 'draft', name: string): string {
  const key = `${kind}/${name}`;
  const seq = calls.get(key) ?? 0;
  calls.set(key, seq + 1);
  return callWorkflowId(workflowInfo().workflowId, kind, name, seq);
}

/** The workflow that asks: recorded as the producer's caller, so lineage names it. */
export function callerOf(): WorkflowCaller {
  const info = workflowInfo();
  return { workflowId: info.workflowId, runId: info.runId, workflowType: info.workflowType };
}

/** Removes an activity's outputs folder once what was made of it is committed (outputsDir() marks such folders). */
export async function releaseFolder(from: HostFolder | undefined): Promise<void> {
  if (from?.removeAfterCommit && from.dir) await onHostOf(from).removeOutputsDir({ dir: from.dir });
}

/**
 * Logs a version of files on one host, from inside any workflow: the files are staged on their host (resumable,
 * retried there), committed once, and recorded as made by this workflow.
 *
 *   const model = await logArtifact({ name: 'model', type: 'model', from: await train(), aliases: ['candidate'] });
 */
export async function logArtifact(spec: WorkflowArtifactSpec): Promise<LoggedWorkflowVersion> {
  const workflowId = nextCallId('log', spec.name);
  const { specDigest } = await onHostOf(spec.from).recordHostFiles({ from: [spec.from] });
  const caller = callerOf();
  const result = await executeChild(logArtifactWorkflow, {
    workflowId,
    args: [{ name: spec.name, type: spec.type, specDigest, hostQueue: spec.from.hostQueue, aliases: spec.aliases ?? [], ...described(spec), run: caller.workflowId, caller }],
  });
  await releaseFolder(spec.from);
  return { ...workflowVersionOf(result.version), created: result.created };
}

/**
 * Resolves a ref (`name:alias`, `name:vN`) to the version it names now, and records this workflow as one that used
 * it (`artifacts lineage` lists it). The answer is recorded in history, so a replay sees the same version.
 */
export async function useArtifact(ref: string): Promise<WorkflowVersion> {
  return workflowVersionOf(await registry.resolveVersion({ ref, consumer: callerOf() }));
}

/** Points a custom alias (e.g. `production`) at the version `ref` names; returns that version with its aliases. */
export async function aliasArtifact(ref: string, alias: string): Promise<WorkflowVersion> {
  return workflowVersionOf(await registry.aliasVersion({ ref, alias }));
}

/**
 * Adds this workflow's files to a collaborative version. The draft is shared by `distributedId`: by default the
 * parent workflow's id, so the children of one workflow all add to the version their parent finishes.
 */
export async function upsertArtifact(spec: WorkflowArtifactSpec, options: CollaborativeOptions = {}): Promise<WorkflowUpsert> {
  const info = workflowInfo();
  const distributedId = options.distributedId ?? info.parent?.workflowId ?? info.workflowId;
  const writer = options.writer ?? info.workflowId;
  const workflowId = nextCallId('upsert', spec.name);
  const { specDigest } = await onHostOf(spec.from).recordHostFiles({ from: [spec.from] });
  const result = await executeChild(upsertArtifactWorkflow, { workflowId, args: [{ name: spec.name, type: spec.type, distributedId, writer, specDigest, hostQueue: spec.from.hostQueue }] });
  await releaseFolder(spec.from);
  return { distributedId, writer, files: result.stage.files };
}

/** A finish may bring files of its own, or none. */
export type FinishSpec = Omit<WorkflowArtifactSpec, 'from'> & { readonly from?: HostFolder };

/**
 * Commits the collaborative version every writer added to. The draft is this workflow's own by default (its id),
 * which is where its children's upserts go by default.
 */
export async function finishArtifact(spec: FinishSpec, options: CollaborativeOptions = {}): Promise<LoggedWorkflowVersion> {
  const info = workflowInfo();
  const distributedId = options.distributedId ?? info.workflowId;
  const writer = options.writer ?? info.workflowId;
  const workflowId = nextCallId('finish', spec.name);
  const specDigest = spec.from ? (await onHostOf(spec.from).recordHostFiles({ from: [spec.from] })).specDigest : undefined;
  const caller = callerOf();
  const result = await executeChild(upsertArtifactWorkflow, {
    workflowId,
    args: [{
      name: spec.name, type: spec.type, distributedId, writer, hostQueue: spec.from?.hostQueue ?? info.taskQueue, ...(specDigest ? { specDigest } : {}),
      finish: { aliases: spec.aliases ?? [], ...described(spec), run: caller.workflowId, caller },
    }],
  });
  await releaseFolder(spec.from);
  const finished = result.finished!;
  return { ...workflowVersionOf(finished.version), created: finished.created };
}

/** Description and metadata, only when given (an undefined field would still be a key in history). */
export function described(spec: Pick<WorkflowArtifactSpec, 'description' | 'metadata'>) {
  return { ...(spec.description !== undefined ? { description: spec.description } : {}), ...(spec.metadata !== undefined ? { metadata: spec.metadata } : {}) };
}
