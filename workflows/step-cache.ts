/**
 * The step cache, as the pipeline interpreter sees it. A step's key is computed by an activity on the host queue
 * (it reads the step's `deps` files and resolves its `uses` there) from material rendered here: the command, env,
 * workdir, the params and steps it reads, its fan-out and its produces. Paths that differ from run to run
 * (`${{ outputs }}`, `${{ inputs }}`) are rendered as fixed placeholders, so an unchanged step keeps its key.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import type { StepKey } from '../activities/step-cache-activities';
import { renderCommand, renderShardArg, renderValues } from '../dsl/command';
import { parseTemplate, pathsOf, renderTemplate, type Context } from '../dsl/expressions';
import type { Step } from '../dsl/pipeline.generated';
import { own, recordOf } from '../dsl/records';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import { renderDeep, renderList, workdirOf } from './pipeline-render';
import type { PipelineRunInput, StepOutputs } from './pipeline-types';

const PLACEHOLDERS = { outputs: '\u0000outputs', inputs: '\u0000inputs' };

/** Whether a step is looked up in (and recorded into) the cache: not with `cache: false` or a `--no-cache` run, nor in runs recorded before the cache. */
export function cacheOn(input: PipelineRunInput, step: Step): boolean {
  return input.cache !== false && step.cache !== false && patched('step-cache');
}

export interface StepProbe {
  readonly id: string;
  readonly step: Step;
  readonly input: PipelineRunInput;
  readonly ctx: Context;
  readonly cwd: string;
  /** The outputs and cache keys of the steps finished so far. */
  readonly outputs: Readonly<Record<string, StepOutputs>>;
  readonly keys: Readonly<Record<string, string>>;
}

/** The step's key, its `uses` resolved, and the recorded result when there is one. */
export function lookUpStep(probe: StepProbe): Promise<StepKey> {
  const { id, step, input, ctx } = probe;
  return cacheActivities(input).lookUpStep({
    pipeline: input.pipeline.name, step: id, run: input.runId,
    material: keyMaterial(probe),
    uses: renderList(step.uses, ctx) ?? [],
    from: step.produces?.mode === 'incremental' && step.produces.from !== undefined ? String(renderTemplate(step.produces.from, ctx)) : undefined,
    cwd: probe.cwd,
    deps: step.deps ?? [],
    aliases: renderList(step.produces?.aliases, ctx) ?? [],
    ...(input.project === undefined ? {} : { project: input.project }),
  });
}

/** Records a step's outputs under its key once it succeeded. */
export async function recordStep(input: PipelineRunInput, id: string, key: string, outputs: StepOutputs): Promise<void> {
  await cacheActivities(input).recordStep({ key, pipeline: input.pipeline.name, step: id, run: input.runId, outputs });
}

function cacheActivities(input: PipelineRunInput) {
  return proxyActivities<ArtifactActivities>({ taskQueue: input.hostQueue, startToCloseTimeout: '10 minutes', heartbeatTimeout: LOST_WORKER_AFTER, retry: ACTIVITY_RETRY });
}

/** Everything the interpreter knows that determines a step's output, as plain data. */
function keyMaterial({ step, input, ctx, outputs, keys }: StepProbe): Record<string, unknown> {
  const keyCtx: Context = { ...ctx, ...PLACEHOLDERS };
  const read = pathsRead(step);
  const params = recordOf(read.filter((p) => p[0] === 'params' && p[1] !== undefined).map((p) => [p[1]!, own(input.params, p[1]!) ?? null]));
  const upstream = new Set([...(step.needs ?? []), ...read.filter((p) => p[0] === 'steps' && p[1] !== undefined).map((p) => p[1]!), ...(step.fanOut?.itemsFrom ? [step.fanOut.itemsFrom.step] : [])]);
  return {
    command: commandOf(step, keyCtx),
    activity: step.activity ? { name: step.activity.name, args: renderDeep(step.activity.args ?? [], keyCtx) } : null,
    inheritEnv: step.inheritEnv ?? true,
    workdir: workdirOf(step, keyCtx) ?? null,
    params,
    steps: recordOf([...upstream].sort().map((n) => [n, upstreamOf(own(outputs, n), own(keys, n))])),
    fanOut: step.fanOut ? {
      count: step.fanOut.count === undefined ? null : renderTemplate(String(step.fanOut.count), keyCtx),
      items: step.fanOut.items ? renderDeep(step.fanOut.items, keyCtx) : null,
      itemsFrom: step.fanOut.itemsFrom ? { ...step.fanOut.itemsFrom, maxItems: step.fanOut.maxItems ?? 1000 } : null,
      minSuccessRatio: step.fanOut.minSuccessRatio ?? 1,
    } : null,
    produces: step.produces ? renderDeep(filesOf(step.produces), keyCtx) : null,
  };
}

/** A fan-out's argv and env keep each shard's own values as pieces; any other command is rendered whole. */
function commandOf(step: Step, keyCtx: Context): unknown {
  if (step.fanOut && Array.isArray(step.run)) {
    return { argv: step.run.map((a) => renderShardArg(a, keyCtx)), env: recordOf(Object.entries(step.env ?? {}).map(([k, v]) => [k, renderShardArg(v, keyCtx)])) };
  }
  const command = step.run === undefined ? null : renderCommand(step.run, keyCtx);
  return { argv: command?.argv ?? null, env: { ...renderValues(step.env, keyCtx), ...command?.env } };
}

/**
 * What a step passes on to the keys of the steps after it: the content of its version and its result, so a step
 * that re-ran and made the same version leaves them cached; a step that made no version passes on its own key.
 */
function upstreamOf(o: StepOutputs | undefined, key: string | undefined): unknown {
  if (!o) return null;
  return { artifact: o.artifact, digest: o.digest, result: o.result, skipped: o.skipped, exitCode: o.exitCode, key: o.digest ? null : key ?? null };
}

/**
 * What of `produces` decides the version's files: its aliases are pointed at the recorded version on a hit, and its
 * description and metadata (often naming the run) stay those of the version as first made, as when a commit finds
 * its content already there.
 */
function filesOf(p: NonNullable<Step['produces']>): Record<string, unknown> {
  return { artifact: p.artifact, type: p.type, mode: p.mode, files: p.files, from: p.from, add: p.add, remove: p.remove };
}

/** Every `a.b.c` path the step's expressions read. */
function pathsRead(step: Step): (readonly string[])[] {
  const out: (readonly string[])[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const seg of parseTemplate(value)) if ('expr' in seg) out.push(...pathsOf(seg.expr));
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit({ ...step, produces: step.produces && filesOf(step.produces) });
  return out;
}
