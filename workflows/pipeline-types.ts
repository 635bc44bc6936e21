import { defineQuery } from '@temporalio/workflow';
import type { Pipeline } from '../dsl/pipeline.generated';

/** The interpreter's input: the validated pipeline (never its YAML text), resolved params and where to work. */
export interface PipelineRunInput {
  readonly pipeline: Pipeline;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly runId: string;
  /** The project its artifacts are logged and looked up in (runs recorded before projects: the default one). */
  readonly project?: string;
  /** Task queue of the host that started the run: commands and their outputs live there. */
  readonly hostQueue: string;
  /** Host-local folder for this run's step folders (`<dir>/<step>/outputs`, `<dir>/<step>/inputs`). */
  readonly workDir: string;
  /** Folder of the pipeline file: relative `workdir`s and commands resolve from it. */
  readonly baseDir: string;
  /** How long a command may go without a heartbeat before its worker counts as lost (default 30 s). */
  readonly heartbeatTimeoutMs?: number;
  /** false (`--no-cache`): run every step, neither looking up nor recording results in the step cache. */
  readonly cache?: boolean;
  /** Set by a deployed trigger (or `--trigger`): the version that started the run, read as `${{ trigger.ref }}`. */
  readonly trigger?: { readonly ref: string };
  /** Set by a schedule, whose runs all share one input: the run id is then the end of the workflow id, and its folder is made here. */
  readonly runsDir?: string;
}

/** `cached`: the step's cache key had a recorded result, so it did not run; its outputs are the recorded versions. */
export type StepState = 'pending' | 'running' | 'done' | 'cached' | 'skipped' | 'failed' | 'cancelled';

export interface StepStatus {
  readonly state: StepState;
  readonly version?: string;
  readonly ref?: string;
  readonly error?: string;
  readonly shards?: number;
  /** Of a done fan-out: shards whose recorded files were used (their commands did not run). */
  readonly shardsCached?: number;
  /** Of a `run` step once its command ended: the attempt that succeeded, or the last one that failed. */
  readonly attempt?: number;
  /** Of a `run` step once its command ended: its exit code (null when a signal ended it). */
  readonly exitCode?: number | null;
  /** Of a done step that produced a version: `created`, or `unchanged` when the content equalled an existing version. */
  readonly outcome?: 'created' | 'unchanged';
  /** Of a cached step: the run whose recorded result it is. */
  readonly cachedFrom?: string;
}

/** How a step's command ended, as the command activity reports it (and a failed attempt in its failure details). */
export interface StepCommandRun {
  readonly exitCode: number | null;
  readonly attempt: number;
}

/** What later steps read as `steps.<id>.*`. */
export interface StepOutputs {
  readonly skipped: boolean;
  readonly exitCode: number | null;
  readonly artifact: string | null;
  readonly version: string | null;
  readonly ref: string | null;
  readonly digest: string | null;
  /** What an `activity:` step returned (objects as JSON text). */
  readonly result: string | number | boolean | null;
}

export interface PipelineStatus {
  readonly name: string;
  readonly runId: string;
  readonly steps: Readonly<Record<string, StepStatus>>;
}

/** The memo key under which a run keeps its step states, readable by `describe()` with no worker running. */
export const PIPELINE_STATUS_MEMO = 'pipelineStatus';

export interface PipelineRunResult extends PipelineStatus {
  readonly outputs: Readonly<Record<string, StepOutputs>>;
}

/** The run's step states, answered by the pipeline workflow; defined here so that clients query it without loading workflow code. */
export const pipelineStatusQuery = defineQuery<PipelineStatus>('pipelineStatus');
