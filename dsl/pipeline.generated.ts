/* Generated from schemas/pipeline.schema.json by scripts/gen-pipeline-types.mjs: edit the schema, not this file. */

/**
 * This interface was referenced by `Pipeline`'s JSON-Schema
 * via the `definition` "Duration".
 */
export type Duration = string;

/**
 * A temporal-artifacts pipeline: steps that run commands or activities and produce versioned artifacts.
 */
export interface Pipeline {
  /**
   * Format version of this file.
   */
  version: 1;
  /**
   * Pipeline name; part of its workflow id.
   */
  name: string;
  description?: string;
  /**
   * Typed inputs, overridable with --param name=value.
   */
  params?: {
    [k: string]: Param;
  };
  /**
   * What starts runs of the pipeline once it is deployed (artifacts deploy FILE): a schedule, a new version of an artifact (or an alias moving), or both.
   */
  on?: {
    /**
     * A cron expression ("0 3 * * *": every day at 03:00 UTC) or "@every 10m".
     */
    schedule?: string;
    /**
     * A new version of this artifact starts a run (or, with alias, that alias moving); ${{ trigger.ref }} names the version.
     */
    artifact?: {
      name: string;
      alias?: string;
    };
    /**
     * all (the default): one run per new version or firing; latest: of a burst of versions (each less than 10 s after the last) only the newest starts a run (and a schedule keeps at most one firing waiting).
     */
    concurrency?: 'all' | 'latest';
  };
  /**
   * Steps by id. Steps run as soon as the steps they need are done; independent steps run in parallel.
   */
  steps: {
    [k: string]: Step;
  };
}
/**
 * This interface was referenced by `Pipeline`'s JSON-Schema
 * via the `definition` "Param".
 */
export interface Param {
  type: 'string' | 'integer' | 'number' | 'boolean';
  default?: string | number | boolean;
  description?: string;
}
/**
 * This interface was referenced by `Pipeline`'s JSON-Schema
 * via the `definition` "Step".
 */
export interface Step {
  /**
   * Ids of steps that must finish first.
   */
  needs?: string[];
  /**
   * Run only when this expression is true, e.g. "${{ params.curate }}".
   */
  when?: string | boolean;
  /**
   * A command: an argv list (no shell), or a string run by /bin/sh. Expression values are passed as argv items or environment variables, never spliced into shell text.
   */
  run?: [string | number | boolean, ...(string | number | boolean)[]] | string;
  /**
   * Call an activity registered on the worker, by name.
   */
  activity?: {
    name: string;
    args?: unknown[];
  };
  env?: {
    [k: string]: string | number | boolean;
  };
  /**
   * Which of the worker's environment variables the command inherits: true (the default) all of them, false none, or a list of names (e.g. [PATH, HOME]). The step's own env is always set. Use a list for steps that must not see the worker's credentials.
   */
  inheritEnv?: boolean | string[];
  /**
   * Working directory of the command, relative to the pipeline file.
   */
  workdir?: string;
  /**
   * Globs, relative to the workdir, of the files the step's command reads (its code, its config): their content is part of the step's cache key, so editing one re-runs the step.
   */
  deps?: string[];
  /**
   * Input artifact refs, downloaded into ${{ inputs }}/<name> and recorded as lineage.
   */
  uses?: string[];
  fanOut?: FanOut;
  retry?: {
    maxAttempts?: number;
    backoff?: Duration;
  };
  timeout?: Duration;
  produces?: Produces;
  /**
   * false: always run this step (default true: a step whose cache key has a recorded result does not run again; its outputs are the recorded versions).
   */
  cache?: boolean;
}
/**
 * Run the step once per shard, in parallel on any workers; outputs are merged into one collaborative version.
 *
 * This interface was referenced by `Pipeline`'s JSON-Schema
 * via the `definition` "FanOut".
 */
export interface FanOut {
  /**
   * Number of shards (an integer or an expression).
   */
  count?: number | string;
  /**
   * One shard per item; ${{ shard.item }} is the item.
   */
  items?: (string | number | boolean)[];
  /**
   * One shard per item of a JSON list (strings, numbers or booleans) in the version an earlier step made, e.g. { step: list, path: items.json }.
   */
  itemsFrom?: {
    step: string;
    path: string;
  };
  /**
   * The most items itemsFrom may list (default 1000); a longer list fails the step.
   */
  maxItems?: number;
  maxConcurrent?: number;
  minSuccessRatio?: number;
}
/**
 * This interface was referenced by `Pipeline`'s JSON-Schema
 * via the `definition` "Produces".
 */
export interface Produces {
  artifact: string;
  type?: string;
  mode?: 'simple' | 'collaborative' | 'incremental';
  /**
   * Globs, relative to ${{ outputs }}, of the files to log (default: everything).
   */
  files?: string[];
  aliases?: string[];
  metadata?: {
    [k: string]: unknown;
  };
  description?: string;
  /**
   * Incremental: the version to start from, e.g. dataset:latest.
   */
  from?: string;
  /**
   * Incremental: globs, relative to ${{ outputs }}, of files to add or replace.
   */
  add?: string[];
  /**
   * Incremental: entry names or folder prefixes to remove.
   */
  remove?: string[];
}
