/**
 * Every workflow id of the project, built here and nowhere else. Ids are deterministic so that a restarted
 * client or a replayed parent re-attaches to the workflow it started instead of starting a second one, and so
 * that the client can find a pipeline's children from the run id alone. Pure string functions: workflow code,
 * activities and the client all import this module.
 */

/** The draft entity of `(name, distributedId)`: every writer of a collaborative version finds the same one. */
export function draftWorkflowId(name: string, distributedId: string): string {
  return `artifact-draft/${name}/${distributedId}`;
}

/** The `seq`-th simple-mode log of a run. */
export function logWorkflowId(name: string, runId: string, seq: number): string {
  return `artifacts/log/${name}/${runId}/${seq}`;
}

/** A draft's save: the same draft with the same content attaches to the same version; changed content is a new save. */
export function incrementalWorkflowId(name: string, draftId: string, specDigest: string): string {
  // The hex, not the algorithm's name: sixteen digits of it keep ids of different content apart.
  return `artifacts/incremental/${name}/${draftId}/${specDigest.slice(specDigest.indexOf(':') + 1).slice(0, 16)}`;
}

/** The `seq`-th upsert (or finish) a run sends to the draft of `(name, distributedId)`. */
export function upsertWorkflowId(kind: 'upsert' | 'finish', name: string, distributedId: string, runId: string, seq: number): string {
  return `artifacts/${kind}/${name}/${distributedId}/${runId}/${seq}`;
}

/** A fan-out started from a client with no id of its own. */
export function fanOutWorkflowId(name: string, distributedId: string): string {
  return `artifacts/fan-out/${name}/${distributedId}`;
}

/** A fan-out started from inside a workflow (`fanOut()` in the user's own workflow code). */
export function childFanOutWorkflowId(parentId: string, name: string): string {
  return `${parentId}/fan-out/${name}`;
}

/** The shard `index` of a fan-out; also the shard's writer id in the draft. */
export function shardWorkflowId(fanOutId: string, index: number): string {
  return `${shardIdPrefix(fanOutId)}${index}`;
}

/** What every shard id of a fan-out starts with (for counting finished shards in Temporal's visibility). */
export function shardIdPrefix(fanOutId: string): string {
  return `${fanOutId}/shard-`;
}

/** A deployed pipeline's schedule or artifact watcher; the task queue is part of it, as deployments are listed per queue. */
export function deploymentId(taskQueue: string, pipeline: string, kind: 'schedule' | 'watch' | ''): string {
  return `artifacts/deploy/${taskQueue}/${pipeline}/${kind}`;
}

export function pipelineWorkflowId(runId: string): string {
  return `artifacts/pipeline/${runId}`;
}

/** The child workflow that makes a pipeline step's version: its log, incremental save or fan-out. */
export function stepWorkflowId(pipelineId: string, step: string, child: 'log' | 'incremental' | 'fan-out'): string {
  return `${pipelineId}/${step}/${child}`;
}

/** The `seq`-th call of one kind for one artifact name from a user's workflow (`temporal-artifacts/workflows`). */
export function callWorkflowId(parentId: string, kind: 'log' | 'upsert' | 'finish' | 'draft', name: string, seq: number): string {
  return `${parentId}/${kind}/${name}/${seq}`;
}

/** One garbage collection started by `artifacts gc`. */
export function gcWorkflowId(id: string): string {
  return `artifacts/gc/${id}`;
}

/** The gc schedule of one host (its store, when local, lives there) on one task queue. */
export function gcScheduleId(taskQueue: string, hostId: string): string {
  return `artifacts-gc/${taskQueue}/${hostId}`;
}
