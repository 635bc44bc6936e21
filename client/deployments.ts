import path from 'node:path';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, WorkflowNotFoundError, type ScheduleSpec } from '@temporalio/client';
import type { Session } from './session';
import { loadPipeline } from '../dsl/load';
import { resolveParams } from '../dsl/params';
import { UsageError } from '../errors';
import { hostQueueOf } from '../runtime/config';
import { ArtifactNotFoundError } from '../errors';
import { deploymentId, pipelineWorkflowId } from '../workflows/ids';
import type { Pipeline } from '../dsl/pipeline.generated';
import { runsFolderOf } from '../store/data-folder';
import type { artifactTriggerWorkflow } from '../workflows/trigger-workflow';
import { artifactTriggerText, DEPLOYMENT_MEMO, memoOf, scheduleTriggerText, type DeployedRun, type DeploymentMemo } from '../workflows/trigger-types';

/** A deployed pipeline as `artifacts deployments` lists it. */
export interface DeploymentInfo {
  readonly name: string;
  /** What starts its runs: `schedule <cron>`, `artifact <name> new version`, `artifact <name>:<alias> moves`. */
  readonly triggers: readonly string[];
  /** The run a trigger started last, and when. */
  readonly lastRun?: { readonly runId: string; readonly at: string } | undefined;
  /** When the schedule fires next (an artifact trigger fires when the artifact changes). */
  readonly nextRun?: string | undefined;
}

/**
 * Registers a pipeline with the triggers of its `on:`: a Temporal Schedule for `schedule`, a durable watcher
 * workflow for `artifact`. Its runs execute on this host's queue (its worker runs the steps, with the pipeline
 * file's folder as the base of relative paths). Deploying a name again replaces its triggers.
 */
export async function deployPipeline(session: Session, file: string, options: { readonly params?: Readonly<Record<string, string>> } = {}): Promise<DeploymentInfo> {
  const loaded = loadPipeline(file);
  const { pipeline } = loaded;
  const on = pipeline.on;
  if (!on || (on.schedule === undefined && on.artifact === undefined)) {
    throw new UsageError(`${loaded.file} has no triggers: add \`on: { schedule: "0 3 * * *" }\` or \`on: { artifact: { name: dataset } }\` to deploy it, or start it with \`artifacts run ${file}\`.`);
  }
  const run: DeployedRun = {
    pipeline, params: resolveParams(pipeline, options.params ?? {}, file), project: session.config.project, hostQueue: hostQueueOf(session.config),
    baseDir: path.dirname(loaded.file), runsDir: runsFolderOf(session.config.home), heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
  };
  await undeployPipeline(session, pipeline.name);
  if (on.schedule !== undefined) await createSchedule(session, run, on.schedule, on.concurrency);
  if (on.artifact !== undefined) await startWatcher(session, run, on.artifact, on.concurrency);
  return { name: pipeline.name, triggers: triggersOf(pipeline) };
}

/** Removes a pipeline's triggers (runs already started go on); false when nothing was deployed under that name. */
export async function undeployPipeline(session: Session, name: string): Promise<boolean> {
  const client = session.connections.client;
  let removed = false;
  try {
    await client.schedule.getHandle(deploymentId(session.config.taskQueue, name, 'schedule')).delete();
    removed = true;
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  try {
    const watcher = client.workflow.getHandle(deploymentId(session.config.taskQueue, name, 'watch'));
    if ((await watcher.describe()).status.name === 'RUNNING') {
      await watcher.terminate('undeployed');
      removed = true;
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  return removed;
}

/** Every pipeline deployed on this task queue, with its triggers, last run and next scheduled run. */
export async function listDeployments(session: Session): Promise<DeploymentInfo[]> {
  const client = session.connections.client;
  const prefix = deploymentId(session.config.taskQueue, '', '').replace(/\/+$/, '/');
  const found = new Map<string, DeploymentInfo>();
  for await (const summary of client.schedule.list()) {
    if (!summary.scheduleId.startsWith(prefix)) continue;
    const description = await client.schedule.getHandle(summary.scheduleId).describe();
    const memo = description.memo?.[DEPLOYMENT_MEMO] as DeploymentMemo | undefined;
    const name = memo?.pipeline ?? summary.scheduleId.slice(prefix.length).replace(/\/schedule$/, '');
    const last = description.info.recentActions.at(-1);
    merge(found, {
      name, triggers: [memo?.trigger ?? 'schedule'],
      lastRun: last && { runId: last.action.workflow.workflowId.slice(pipelineWorkflowId('').length), at: last.takenAt.toISOString() },
      nextRun: description.info.nextActionTimes[0]?.toISOString(),
    });
  }
  for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}" AND ExecutionStatus = "Running"` })) {
    const memo = w.memo?.[DEPLOYMENT_MEMO] as DeploymentMemo | undefined;
    if (!memo) continue;
    merge(found, { name: memo.pipeline, triggers: [memo.trigger], lastRun: memo.last && { runId: memo.last.runId, at: memo.last.at } });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function merge(found: Map<string, DeploymentInfo>, info: DeploymentInfo): void {
  const prior = found.get(info.name);
  if (!prior) {
    found.set(info.name, info);
    return;
  }
  const lastRun = [prior.lastRun, info.lastRun].filter((r) => r !== undefined).sort((a, b) => a.at.localeCompare(b.at)).at(-1);
  found.set(info.name, { name: info.name, triggers: [...prior.triggers, ...info.triggers], lastRun, nextRun: prior.nextRun ?? info.nextRun });
}

async function createSchedule(session: Session, run: DeployedRun, schedule: string, concurrency: string | undefined): Promise<void> {
  const name = run.pipeline.name;
  const memo: DeploymentMemo = { pipeline: name, trigger: scheduleTriggerText(schedule) };
  try {
    await session.connections.client.schedule.create({
      scheduleId: deploymentId(session.config.taskQueue, name, 'schedule'),
      spec: specOf(schedule),
      // One run per firing (a run still going does not hold the next back), or with `latest` at most one waiting.
      policies: { overlap: concurrency === 'latest' ? 'BUFFER_ONE' : 'ALLOW_ALL' },
      memo: { [DEPLOYMENT_MEMO]: memo },
      action: {
        type: 'startWorkflow', workflowType: 'pipelineWorkflow', taskQueue: session.config.taskQueue,
        // Temporal appends the time of each firing, which becomes the run's id (see pipelineWorkflow).
        workflowId: pipelineWorkflowId(`${name}-scheduled`),
        args: [{ ...run, runId: '', workDir: '' }],
      },
    });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) throw new UsageError(`Pipeline ${JSON.stringify(name)} was deployed by someone else at the same time; run \`artifacts deployments\` and deploy again.`);
    throw err;
  }
}

/** `@every 10m` is an interval; anything else is a cron expression (Temporal checks it and says what is wrong). */
function specOf(schedule: string): ScheduleSpec {
  const every = /^@every\s+(\S+)$/.exec(schedule.trim());
  return every ? { intervals: [{ every: every[1]! as `${number}s` }] } : { cronExpressions: [schedule] };
}

async function startWatcher(session: Session, run: DeployedRun, artifact: NonNullable<Pipeline['on']>['artifact'] & object, concurrency: 'all' | 'latest' | undefined): Promise<void> {
  const store = await session.store();
  const seen = await store.registry.resolve(`${artifact.name}:${artifact.alias ?? 'latest'}`, session.config.project).then((v) => v.index, (err: unknown) => {
    if (err instanceof ArtifactNotFoundError) return null;
    throw err;
  });
  const settleMs = session.config.triggerSettleMs;
  const input = { run, artifact, concurrency, seen, ...(settleMs === undefined ? {} : { settleMs }) };
  await session.connections.client.workflow.start<typeof artifactTriggerWorkflow>('artifactTriggerWorkflow', {
    taskQueue: session.config.taskQueue,
    workflowId: deploymentId(session.config.taskQueue, run.pipeline.name, 'watch'),
    args: [input],
    memo: { [DEPLOYMENT_MEMO]: memoOf(input, undefined) },
  });
}

function triggersOf(pipeline: Pipeline): string[] {
  const on = pipeline.on ?? {};
  return [
    ...(on.schedule !== undefined ? [scheduleTriggerText(on.schedule)] : []),
    ...(on.artifact ? [artifactTriggerText(on.artifact)] : []),
  ];
}
