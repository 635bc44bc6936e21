import { CancellationScope, executeChild, isCancellation, patched, proxyActivities, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { renderCommand, renderValues } from '../dsl/command';
import { renderTemplate, truthy, type Context } from '../dsl/expressions';
import type { Step } from '../dsl/pipeline.generated';
import { emptyRecord, recordOf } from '../dsl/records';
import { describedBy, inheritOf, renderDeep, renderList, resolveDir, workdirOf } from './pipeline-render';
import { cacheOn, lookUpStep, recordStep } from './step-cache';
import { isLibraryActivity, libraryActivityMessage } from '../dsl/reserved';
import { CommandFailedError, PipelineFailedError, UsageError } from '../errors';
import { fromFailure, toFailure } from '../errors/failure';
import { fanOutStep } from './pipeline-fan-out';
import { hostActivities, inProject, outputsOf, projectOf, type Ran, type StepParts } from './pipeline-step';
import { incrementalArtifactWorkflow } from './incremental-workflow';
import { logArtifactWorkflow } from './log-workflow';
import { pipelineWorkflowId, stepWorkflowId } from './ids';
import { PIPELINE_STATUS_MEMO, pipelineStatusQuery, type PipelineRunInput, type PipelineRunResult, type PipelineStatus, type StepCommandRun, type StepOutputs, type StepStatus } from './pipeline-types';

const NO_OUTPUTS: StepOutputs = { skipped: false, exitCode: null, artifact: null, version: null, ref: null, digest: null, result: null };
const FINAL = new Set(['done', 'cached', 'skipped', 'failed', 'cancelled']);

/**
 * Interprets a validated pipeline: steps start as soon as the steps they need are finished, independent steps run
 * in parallel, and each maps onto the activities and workflows the API uses (log, fan-out, incremental). Child ids
 * derive from this workflow's id, so nothing runs twice when a run is re-attached or replayed.
 */
export async function pipelineWorkflow(given: PipelineRunInput): Promise<PipelineRunResult> {
  const input = identified(given);
  const ids = Object.keys(input.pipeline.steps);
  // Keyed by step ids the user chose: maps without a prototype, so an id like __proto__ is just a key.
  const run: RunState = { input, status: recordOf<StepStatus>(ids.map((id) => [id, { state: 'pending' }])), outputs: emptyRecord<StepOutputs>(), keys: emptyRecord<string>(), prepared: false };
  const { status, outputs } = run;
  const current = (): PipelineStatus => ({ name: input.pipeline.name, runId: input.runId, steps: status });
  setHandler(pipelineStatusQuery, current);
  // Runs started before the memo existed replay without it.
  const memo = patched('pipeline-status-memo');
  let published = '';
  const publish = (): void => {
    const text = JSON.stringify(status);
    if (memo && text !== published) upsertMemo({ [PIPELINE_STATUS_MEMO]: current() });
    published = text;
  };
  try {
    await runSteps(ids, run, publish);
  } finally {
    publish();
    await removeInputCopies(ids, run);
  }
  if (ids.some((id) => status[id]!.state === 'failed')) throw toFailure(new PipelineFailedError({ pipeline: input.pipeline.name, runId: input.runId, steps: status }));
  return { name: input.pipeline.name, runId: input.runId, steps: status, outputs };
}

/**
 * A scheduled run's id is the end of its workflow id (Temporal appends the firing's time, `...-2026-12-02T03:00:00Z`),
 * so `artifacts status` finds it; its folder under runsDir is that id without the characters a folder name refuses.
 */
function identified(input: PipelineRunInput): PipelineRunInput {
  if (input.runId || input.runsDir === undefined) return input;
  const runId = workflowInfo().workflowId.slice(pipelineWorkflowId('').length);
  return { ...input, runId, workDir: `${input.runsDir}/${runId.replace(/[^A-Za-z0-9._-]/g, '')}` };
}

/** A run's state: each step's status and outputs, and the cache key of each step that has one. */
interface RunState {
  readonly input: PipelineRunInput;
  readonly status: Record<string, StepStatus>;
  readonly outputs: Record<string, StepOutputs>;
  readonly keys: Record<string, string>;
  /** Whether any step made its folders (a run whose steps were all cached made none, and has nothing to remove). */
  prepared: boolean;
}

/** Starts each step once the steps it needs are final, until none is running; `publish` after each change. */
async function runSteps(ids: readonly string[], run: RunState, publish: () => void): Promise<void> {
  const { input, status, outputs } = run;
  const running = new Map<string, Promise<void>>();
  for (;;) {
    for (const id of ids) {
      if (status[id]!.state !== 'pending' || running.has(id)) continue;
      const needs = input.pipeline.steps[id]!.needs ?? [];
      if (!needs.every((n) => FINAL.has(status[n]!.state))) continue;
      const blocked = needs.filter((n) => status[n]!.state === 'failed' || status[n]!.state === 'cancelled');
      if (blocked.length > 0) {
        status[id] = { state: 'skipped', error: `not run: ${blocked.map((b) => `"${b}"`).join(', ')} failed` };
        outputs[id] = { ...NO_OUTPUTS, skipped: true };
        continue;
      }
      running.set(id, runStep(id, run).finally(() => running.delete(id)));
    }
    if (running.size === 0) break;
    publish();
    await Promise.race(running.values());
  }
}

/**
 * When the run ends, however it ends, the copies of its steps' `uses` are deleted (outputs stay, for inspection):
 * they are versions the store already holds. Best effort within a minute, so a host that went away cannot hold
 * the run open; runs recorded before this existed replay without it.
 */
async function removeInputCopies(ids: readonly string[], { input, prepared }: RunState): Promise<void> {
  if (!patched('remove-run-inputs')) return;
  if (!prepared && patched('no-folders-no-removal')) return;
  const host = proxyActivities<ArtifactActivities>({ taskQueue: input.hostQueue, scheduleToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 } });
  await CancellationScope.nonCancellable(() => host.removeStepInputs({ dirs: ids.map((id) => `${input.workDir}/${id}`) })).catch(() => undefined);
}

/** Runs one step, unless its `when` is false or its cache key has a recorded result; records the result under its key. */
async function runStep(id: string, run: RunState): Promise<void> {
  const { input, status, outputs } = run;
  const step = input.pipeline.steps[id]!;
  const dir = `${input.workDir}/${id}`;
  const ctx: Context = { params: input.params, steps: outputs, run: { id: input.runId }, trigger: { ref: input.trigger?.ref ?? '' }, outputs: `${dir}/outputs`, inputs: `${dir}/inputs` };
  status[id] = { state: 'running' };
  // How the step's command ended, once it did: kept when a later part of the step (its version) fails.
  const ran: Ran = {};
  try {
    if (step.when !== undefined && !truthy(typeof step.when === 'boolean' ? step.when : renderTemplate(step.when, ctx))) {
      status[id] = { state: 'skipped', error: 'when was false' };
      outputs[id] = { ...NO_OUTPUTS, skipped: true };
      return;
    }
    const cwd = resolveDir(input.baseDir, workdirOf(step, ctx));
    const cache = cacheOn(input, step) ? await lookUpStep({ id, step, input, ctx, cwd, outputs, keys: run.keys }) : undefined;
    if (cache) run.keys[id] = cache.key;
    if (cache?.hit) {
      outputs[id] = cache.hit.outputs;
      status[id] = { state: 'cached', ...refOf(cache.hit.outputs), cachedFrom: cache.hit.run };
      return;
    }
    run.prepared = true;
    const used = await hostActivities(input).prepareStep({ dir, uses: cache ? cache.used.map((u) => u.ref) : renderList(step.uses, ctx) ?? [], ...projectOf(input) });
    const parts: StepParts = { id, step, input, ctx, dir, cwd, used, ran, key: cache?.key };
    outputs[id] = step.fanOut ? await fanOutStep(parts, status) : await singleStep(parts);
    const o = outputs[id]!;
    await recordLineage(input, o, used);
    const outcome = o.version && ran.created !== undefined ? { outcome: ran.created ? 'created' as const : 'unchanged' as const } : {};
    status[id] = { state: 'done', ...refOf(o), ...ran.command, ...outcome, ...(ran.shardsCached ? { shards: ran.shards, shardsCached: ran.shardsCached } : {}) };
    // Best effort: a result that could not be recorded only means the step runs again next time.
    if (cache) await recordStep(input, id, cache.key, o).catch(() => undefined);
  } catch (err) {
    if (isCancellation(err)) {
      status[id] = { state: 'cancelled' };
      throw err;
    }
    const command = ran.command ?? failedCommandOf(err);
    status[id] = { state: 'failed', error: messageOf(err), ...command };
    outputs[id] = { ...NO_OUTPUTS, exitCode: command?.exitCode ?? null };
  }
}

/** Every `uses` of a step becomes lineage of its version, however the version came about; runs recorded before this replay without it. */
async function recordLineage(input: PipelineRunInput, o: StepOutputs, used: readonly { name: string; index: number }[]): Promise<void> {
  if (!o.artifact || !o.version || used.length === 0 || !patched('step-lineage')) return;
  await hostActivities(input).recordStepUses({ name: o.artifact, index: Number(o.version.slice(1)), uses: used.map((u) => ({ name: u.name, index: u.index })) });
}

function refOf(o: StepOutputs): Pick<StepStatus, 'version' | 'ref'> {
  return { ...(o.version ? { version: o.version } : {}), ...(o.ref ? { ref: o.ref } : {}) };
}

/** A step that runs once: its command (or named activity), then the version its outputs folder becomes. */
async function singleStep({ id, step, input, ctx, dir, cwd, used, ran }: StepParts): Promise<StepOutputs> {
  let result: StepOutputs['result'] = null;
  if (step.run !== undefined) {
    const command = renderCommand(step.run, ctx);
    const env = { ...renderValues(step.env, ctx), ...command.env, ARTIFACTS_OUTPUTS: `${dir}/outputs`, ARTIFACTS_INPUTS: `${dir}/inputs` };
    const reported = await commandActivities(input, step).runStepCommand({ step: id, command: { argv: command.argv, env, cwd, ...inheritOf(step) } });
    // Histories recorded before the activity reported how its command ended hold no result: it exited 0.
    ran.command = reported ?? { exitCode: 0 };
  } else if (step.activity) {
    // Validation refuses these too; a run started without it must not reach the library's own activities either.
    if (isLibraryActivity(step.activity.name)) throw toFailure(new UsageError(libraryActivityMessage(id, step.activity.name)));
    const named = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({ startToCloseTimeout: step.timeout ?? '1 hour', retry: retryOf(step) });
    const value = await named[step.activity.name]!(...(step.activity.args ?? []).map((a) => renderDeep(a, ctx)));
    result = value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return { ...(await produce(id, step, input, ctx, dir, used, ran)), result, exitCode: ran.command?.exitCode ?? null };
}

/** How a step's command ended when its last attempt failed, from the failure's details (undefined if it never ran). */
function failedCommandOf(err: unknown): StepCommandRun | undefined {
  const cause = fromFailure(err);
  return cause instanceof CommandFailedError ? { exitCode: cause.details.exitCode, attempt: cause.details.attempt } : undefined;
}

async function produce(id: string, step: Step, input: PipelineRunInput, ctx: Context, dir: string, used: readonly { name: string; index: number }[], ran: Ran): Promise<StepOutputs> {
  const p = step.produces;
  if (!p) return NO_OUTPUTS;
  const host = hostActivities(input);
  const common = { ...describedBy(p, id, input, ctx), run: input.runId };
  const pipelineId = workflowInfo().workflowId;
  if (p.mode === 'incremental') {
    const prepared = await host.prepareIncremental({ outputs: `${dir}/outputs`, from: String(renderTemplate(p.from!, ctx)), add: renderList(p.add, ctx), remove: renderList(p.remove, ctx), ...projectOf(input) });
    const r = await executeChild(incrementalArtifactWorkflow, { workflowId: stepWorkflowId(pipelineId, id, 'incremental'), args: [{ ...prepared, ...common, hostQueue: input.hostQueue }] });
    return outputsOf(r, ran);
  }
  const { specDigest } = await host.recordOutputs({ outputs: `${dir}/outputs`, files: renderList(p.files, ctx) });
  const r = await executeChild(logArtifactWorkflow, {
    workflowId: stepWorkflowId(pipelineId, id, 'log'),
    args: [{ name: inProject(input, p.artifact), type: p.type === undefined ? 'artifact' : String(renderTemplate(p.type, ctx)), specDigest, hostQueue: input.hostQueue, ...common, uses: used.map((u) => ({ name: u.name, index: u.index })) }],
  });
  return outputsOf(r, ran);
}

function commandActivities(input: PipelineRunInput, step: Step) {
  return proxyActivities<ArtifactActivities>({
    taskQueue: input.hostQueue,
    startToCloseTimeout: step.timeout ?? '1 day',
    // Commands heartbeat every second: a dead worker is noticed, and cancellation reaches the process.
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 30_000,
    retry: retryOf(step),
  });
}

function retryOf(step: Step) {
  return { maximumAttempts: step.retry?.maxAttempts ?? 1, initialInterval: step.retry?.backoff ?? '1 second', backoffCoefficient: 2 };
}

function messageOf(err: unknown): string {
  let current: unknown = err;
  let message = String(err);
  while (current instanceof Error) {
    message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}
