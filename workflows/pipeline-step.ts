/**
 * What the interpreter's step functions share: a step's parts as it runs, what it reports back as it goes, and the
 * activities and names every kind of step uses. Workflow code.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import type { Context } from '../dsl/expressions';
import type { Step } from '../dsl/pipeline.generated';
import { DEFAULT_PROJECT, qualifiedName } from '../store/registry/ref';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { PipelineRunInput, StepCommandRun, StepOutputs } from './pipeline-types';

/** A step as it runs: its definition, the run, its expression context, its folders and its resolved `uses`. */
export interface StepParts {
  readonly id: string;
  readonly step: Step;
  readonly input: PipelineRunInput;
  readonly ctx: Context;
  readonly dir: string;
  readonly cwd: string;
  readonly used: readonly { name: string; index: number }[];
  readonly ran: Ran;
  /** The step's cache key, when it has one (a fan-out's shards are cached under keys derived from it). */
  readonly key: string | undefined;
}

/** Filled in by a step as it goes; the attempt is unknown in histories recorded before it was reported. */
export interface Ran {
  command?: Pick<StepCommandRun, 'exitCode'> & Partial<StepCommandRun>;
  /** Whether the step's commit made a new version (false: its content equalled an existing one). */
  created?: boolean;
  /** Of a fan-out: its shards, and those whose recorded files were used instead of running them. */
  shards?: number;
  shardsCached?: number;
}

/** Activities on the task queue of the host that started the run, where the step folders are. */
export function hostActivities(input: PipelineRunInput) {
  return proxyActivities<ArtifactActivities>({ taskQueue: input.hostQueue, startToCloseTimeout: '1 hour', heartbeatTimeout: LOST_WORKER_AFTER, retry: ACTIVITY_RETRY });
}

/** The registry name of a step's artifact in the run's project (the same name in the default project, as before projects). */
export function inProject(input: PipelineRunInput, name: string): string {
  return qualifiedName(input.project ?? DEFAULT_PROJECT, name);
}

/** What the step activities need to look refs up in the run's project; nothing for runs recorded before projects. */
export function projectOf(input: PipelineRunInput): { project?: string } {
  return input.project === undefined ? {} : { project: input.project };
}

/** A step's outputs from the version its child workflow committed; notes in `ran` whether it was new. */
export function outputsOf({ version, created }: { version: { name: string; version: string; digest: string }; created: boolean }, ran: Ran): StepOutputs {
  ran.created = created;
  return { skipped: false, exitCode: null, artifact: version.name, version: version.version, ref: `${version.name}:${version.version}`, digest: version.digest, result: null };
}
