/**
 * Rendering a step's values through expressions, shared by the pipeline interpreter and its step cache. Pure code
 * (workflow-safe): everything here depends only on the step and the expression context.
 */
import { renderTemplate, type Context } from '../dsl/expressions';
import type { Step } from '../dsl/pipeline.generated';
import { recordOf } from '../dsl/records';
import { PIPELINE_METADATA_KEY } from '../dsl/reserved';
import type { PipelineRunInput } from './pipeline-types';

/** Aliases, description and metadata of a produced version, evaluated; what the pipeline adds sits under its own key. */
export function describedBy(p: Step['produces'], id: string, input: PipelineRunInput, ctx: Context) {
  const metadata = { ...(renderDeep(p?.metadata ?? {}, ctx) as Record<string, unknown>), [PIPELINE_METADATA_KEY]: { pipeline: input.pipeline.name, step: id, run: input.runId } };
  return {
    aliases: renderList(p?.aliases, ctx) ?? [],
    metadata,
    ...(p?.description ? { description: String(renderTemplate(p.description, ctx)) } : {}),
  };
}

export function renderList(values: readonly string[] | undefined, ctx: Context): string[] | undefined {
  return values?.map((v) => String(renderTemplate(v, ctx)));
}

/** Every string at any depth rendered as a template; maps are built without a prototype. */
export function renderDeep(value: unknown, ctx: Context): unknown {
  if (typeof value === 'string') return renderTemplate(value, ctx);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ctx));
  if (value && typeof value === 'object') return recordOf(Object.entries(value).map(([k, v]) => [k, renderDeep(v, ctx)]));
  return value;
}

/** The step's `workdir` as written (rendered), or undefined. */
export function workdirOf(step: Step, ctx: Context): string | undefined {
  return step.workdir === undefined ? undefined : String(renderTemplate(step.workdir, ctx));
}

export function resolveDir(baseDir: string, workdir: string | undefined): string {
  if (!workdir) return baseDir;
  return workdir.startsWith('/') ? workdir : `${baseDir}/${workdir}`;
}

/** A step's `inheritEnv`, passed on only when set, so the commands of runs recorded without it stay the same. */
export function inheritOf(step: Step): { inheritEnv?: boolean | string[] } {
  return step.inheritEnv === undefined ? {} : { inheritEnv: step.inheritEnv };
}
