import { randomUUID } from 'node:crypto';
import { fromFailure } from '../errors/failure';
import { Session } from './session';
import { configFromEnv } from '../runtime/config';
import type { fanOutWorkflow } from '../workflows/fan-out-workflow';
import type { FanOutInput, FanOutOptions, FanOutResult, UsedVersionRef } from '../workflows/fan-out-types';
import { fanOutWorkflowId } from '../workflows/ids';

export interface RunFanOutSettings {
  /** Give one to make the run re-attachable: a restarted client attaches to the running fan-out instead of starting a second. */
  readonly workflowId?: string;
  /** Run a worker in this process too, so it takes shards as well (default false: the shards go to `artifacts worker`s). */
  readonly worker?: boolean;
  /** Environment to read settings from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a fan-out from a client (a script, the CLI) and waits for the version: the command runs once per shard on
 * whichever workers take the shards, and everything the shards wrote is committed as one version.
 */
export async function runFanOut(options: FanOutOptions, settings: RunFanOutSettings = {}): Promise<FanOutResult> {
  return Session.using({ config: configFromEnv(settings.env), worker: settings.worker ?? false }, (session) => fanOutIn(session, options, settings.workflowId));
}

/**
 * Runs a fan-out in an open session. Without a workflow id, the id is derived from the name and the distributed
 * id (a fresh one when the options name none).
 */
export async function fanOutIn(session: Session, options: FanOutOptions, workflowId?: string): Promise<FanOutResult> {
  const inProject = { ...options, name: session.inProject(options.name), ...(await resolvedUses(session, options.uses)) };
  const [args, id] = workflowId === undefined ? withDerivedId(inProject) : [inProject, workflowId];
  try {
    const handle = await session.connections.client.workflow.start<typeof fanOutWorkflow>('fanOutWorkflow', {
      taskQueue: session.config.taskQueue, workflowId: id, args: [args], workflowIdConflictPolicy: 'USE_EXISTING',
      // A task that takes in hundreds of shard completions can outlast the 10 s default on a busy worker; a
      // timed-out task is redone from scratch, which makes a busy worker busier.
      workflowTaskTimeout: '30 seconds',
    });
    return await handle.result();
  } catch (err) {
    throw fromFailure(err);
  }
}

/** `uses` refs resolved once, here, so every shard downloads the very same versions. */
async function resolvedUses(session: Session, refs: readonly string[] | undefined): Promise<{ usesResolved?: UsedVersionRef[] }> {
  if (!refs?.length) return {};
  const store = await session.store();
  const records = await Promise.all(refs.map((ref) => store.registry.resolve(ref, session.config.project)));
  return { usesResolved: records.map((r) => ({ name: r.name, index: r.index, ref: `${r.name}:${r.version}` })) };
}

function withDerivedId(options: FanOutInput): [FanOutInput, string] {
  const distributedId = options.distributedId ?? randomUUID();
  return [{ ...options, distributedId }, fanOutWorkflowId(options.name, distributedId)];
}
