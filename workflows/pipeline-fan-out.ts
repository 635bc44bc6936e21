import { executeChild, workflowInfo } from '@temporalio/workflow';
import { renderShardArg } from '../dsl/command';
import { renderTemplate } from '../dsl/expressions';
import { own, recordOf } from '../dsl/records';
import { UsageError } from '../errors';
import { toFailure } from '../errors/failure';
import { fanOutWorkflow } from './fan-out-workflow';
import { stepWorkflowId } from './ids';
import { describedBy, inheritOf } from './pipeline-render';
import { hostActivities, inProject, outputsOf, projectOf, type StepParts } from './pipeline-step';
import type { StepOutputs, StepStatus } from './pipeline-types';

/** A fan-out step: one shard per index or item, on any worker, merged into one collaborative version. */
export async function fanOutStep(parts: StepParts, status: Record<string, StepStatus>): Promise<StepOutputs> {
  const { id, step, input, ctx, cwd, ran, key } = parts;
  const fan = step.fanOut!;
  if (typeof step.run === 'string') throw toFailure(new UsageError(`step "${id}" fans out, so its run must be an argv list`));
  const items = await itemsOf(parts);
  const shards = items ? items.length : Number(renderTemplate(String(fan.count), ctx));
  const run = step.run ?? [];
  const env = recordOf(Object.entries(step.env ?? {}).map(([k, v]) => [k, renderShardArg(v, ctx)]));
  const p = step.produces;
  status[id] = { state: 'running', shards };
  const r = await executeChild(fanOutWorkflow, {
    workflowId: stepWorkflowId(workflowInfo().workflowId, id, 'fan-out'),
    args: [{
      name: inProject(input, p?.artifact ?? `${input.pipeline.name}-${id}`),
      type: p?.type === undefined ? 'predictions' : String(renderTemplate(p.type, ctx)),
      shards,
      command: { argv: run.map((arg) => renderShardArg(arg, ctx)), env, cwd, ...inheritOf(step) },
      ...(items ? { items } : {}),
      ...(fan.maxConcurrent ? { maxConcurrent: fan.maxConcurrent } : {}),
      ...(fan.minSuccessRatio !== undefined ? { minSuccessRatio: fan.minSuccessRatio } : {}),
      shardAttempts: step.retry?.maxAttempts ?? 3,
      ...(input.heartbeatTimeoutMs ? { shardHeartbeatTimeoutMs: input.heartbeatTimeoutMs } : {}),
      ...describedBy(p, id, input, ctx),
      ...(key ? { stepCache: { stepKey: key, pipeline: input.pipeline.name, step: id, run: input.runId } } : {}),
    }],
  });
  ran.shards = shards;
  if (r.cachedShards) ran.shardsCached = r.cachedShards;
  // Every shard whose files are in the version ran its command to a 0 exit.
  return { ...outputsOf(r, ran), exitCode: 0 };
}

/** The items of the fan-out: written in the file, or read from a version an earlier step made (`itemsFrom`). */
async function itemsOf({ id, step, input, ctx }: StepParts): Promise<string[] | undefined> {
  const fan = step.fanOut!;
  if (fan.items) return fan.items.map((item) => String(typeof item === 'string' ? renderTemplate(item, ctx) : item));
  if (!fan.itemsFrom) return undefined;
  const source = fan.itemsFrom;
  const made = own(ctx['steps'] as Record<string, StepOutputs>, source.step);
  if (!made?.ref) throw toFailure(new UsageError(`step "${id}" fans out over ${source.path} of the version step "${source.step}" makes, but "${source.step}" made no version${made?.skipped ? ' (it was skipped)' : ''}; give "${source.step}" a produces, or fan out over items or a count.`));
  return hostActivities(input).readFanOutItems({ step: source.step, ref: made.ref, path: source.path, maxItems: fan.maxItems ?? 1000, ...projectOf(input) });
}
