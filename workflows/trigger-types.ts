import type { PipelineRunInput } from './pipeline-types';

/**
 * A deployed pipeline's runs, as its triggers start them: the validated pipeline, its params and the host that
 * deployed it (whose worker runs the steps). Each run's id and folder are made when it starts.
 */
export interface DeployedRun extends Omit<PipelineRunInput, 'runId' | 'workDir'> {
  /** Host-local folder the runs' folders are made in (`<runsDir>/<run id>`). */
  readonly runsDir: string;
}

/** `on: artifact`: a new version of `name` (or `alias` moving) starts a run with `trigger.ref` set to it. */
export interface ArtifactTriggerInput {
  readonly run: DeployedRun;
  readonly artifact: { readonly name: string; readonly alias?: string | undefined };
  /** `latest`: of a burst of versions, only the newest starts a run (default: one run per version). */
  readonly concurrency?: 'all' | 'latest' | undefined;
  /** The version index seen last: null when there was none; read when deployed, so nothing after it is missed. */
  readonly seen: number | null;
  readonly last?: LastRun | undefined;
  /** How often the watcher looks at the registry while it waits (default 1 s). */
  readonly pollMs?: number | undefined;
  /** `latest`: how long no newer version must come before the newest of a burst starts its run (default 10 s). */
  readonly settleMs?: number | undefined;
}

/** The run a trigger started last. */
export interface LastRun {
  readonly runId: string;
  readonly ref: string;
  readonly at: string;
}

/** What a deployment's watcher keeps in its memo, readable with no worker running. */
export interface DeploymentMemo {
  readonly pipeline: string;
  readonly trigger: string;
  readonly last?: LastRun | undefined;
}

export const DEPLOYMENT_MEMO = 'deployment';

/** How `artifacts deploy` and `artifacts deployments` say what starts a pipeline's runs. */
export function artifactTriggerText(artifact: { readonly name: string; readonly alias?: string | undefined }): string {
  return `artifact ${artifact.name}${artifact.alias ? `:${artifact.alias} moves` : ' new version'}`;
}

export function scheduleTriggerText(schedule: string): string {
  return `schedule ${schedule}`;
}

/** The memo `artifacts deployments` reads: which pipeline, what triggers it, and its last run. */
export function memoOf(input: ArtifactTriggerInput, last: LastRun | undefined): DeploymentMemo {
  return { pipeline: input.run.pipeline.name, trigger: artifactTriggerText(input.artifact), ...(last ? { last } : {}) };
}
