import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { fromFailure } from '../errors/failure';
import { durationMs } from './lifecycle';
import { Session } from './session';
import { configFromEnv, hostQueueOf } from '../runtime/config';
import type { GcActivityResult } from '../activities';
import type { gcWorkflow, GcWorkflowInput } from '../workflows/gc-workflow';
import { gcScheduleId, gcWorkflowId } from '../workflows/ids';

export interface GcRunOptions {
  /** Blobs written or reused more recently than this are kept whatever refers to them (uploads in flight). */
  readonly graceMs: number;
  /** Report only: delete no version and no blob. */
  readonly dryRun?: boolean;
  /** Collect even when the registry records no version at all (see GcOptions.allowEmptyRegistry). */
  readonly allowEmptyRegistry?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export type GcRunReport = GcActivityResult;

/**
 * Garbage collection now, on this host (where a local store lives): versions past their TTL or beyond their name's
 * retention rule are deleted, then blobs no remaining version, running write or open draft needs are swept (see
 * activities/gc-activity.ts). It runs as a workflow served by this process, the same one a gc schedule starts.
 */
export async function runGc(options: GcRunOptions): Promise<GcRunReport> {
  return Session.using({ config: configFromEnv(options.env) }, async (session) => {
    const input: GcWorkflowInput = { ...gcInput(session, options), ...session.placement() };
    try {
      const handle = await session.connections.client.workflow.start<typeof gcWorkflow>('gcWorkflow', {
        taskQueue: session.config.taskQueue, workflowId: gcWorkflowId(randomUUID()), args: [input],
      });
      return await session.track('gc', handle, handle.result());
    } catch (err) {
      throw fromFailure(err);
    }
  });
}

/**
 * Installs (or changes) the Temporal Schedule that runs gc every `every` (`1h`, `30m`) on this host's queue, where an
 * `artifacts worker` serves it; returns its id. A run still going when the next is due makes that one skip.
 */
export async function scheduleGc(every: string, options: Omit<GcRunOptions, 'dryRun'>): Promise<string> {
  const intervalMs = durationMs(every, '--schedule');
  return Session.using({ config: configFromEnv(options.env), worker: false }, async (session) => {
    const id = gcScheduleId(session.config.taskQueue, session.config.hostId);
    const input: GcWorkflowInput = { ...gcInput(session, options), hostQueue: hostQueueOf(session.config) };
    const action = { type: 'startWorkflow' as const, workflowType: 'gcWorkflow', taskQueue: session.config.taskQueue, args: [input] };
    const spec = { intervals: [{ every: intervalMs }] };
    const schedules = session.connections.client.schedule;
    try {
      await schedules.getHandle(id).update((previous) => ({ ...previous, spec, action }));
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await schedules.create({ scheduleId: id, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    }
    return id;
  });
}

/** Removes this host's gc schedule; false when there was none. */
export async function unscheduleGc(options: { env?: NodeJS.ProcessEnv } = {}): Promise<boolean> {
  return Session.using({ config: configFromEnv(options.env), worker: false }, async (session) => {
    try {
      await session.connections.client.schedule.getHandle(gcScheduleId(session.config.taskQueue, session.config.hostId)).delete();
      return true;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return false;
      throw err;
    }
  });
}

function gcInput(session: Session, options: Omit<GcRunOptions, 'env'>) {
  return {
    graceMs: options.graceMs,
    taskQueue: session.config.taskQueue,
    heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.allowEmptyRegistry ? { allowEmptyRegistry: true } : {}),
  };
}
