import type { Client } from '@temporalio/client';
import { Session } from './session';
import { configFromEnv } from '../runtime/config';
import { collectGarbage, type GcOptions, type GcReport } from '../store/gc';

export interface GcRunOptions extends Omit<GcOptions, 'keepNewerThan'> {
  readonly env?: NodeJS.ProcessEnv;
}

export interface GcRunReport extends GcReport {
  /** Workflows still writing (log, incremental, collaborative drafts) when gc ran; nothing newer than the oldest one's start was deleted. */
  readonly runningWrites: number;
  readonly oldestRunningWrite: string | null;
}

/**
 * Garbage collection with the running writes taken into account: whatever was written or reused since the oldest
 * running artifacts workflow started (an upload, a collaborative draft still open), or within the grace period
 * before that, is kept, however long ago it was. The grace period before covers files a writer staged before the
 * draft it then joined had started; it should exceed the longest staging.
 */
export async function runGc(options: GcRunOptions): Promise<GcRunReport> {
  return Session.using({ config: configFromEnv(options.env), worker: false }, async (session) => {
    const { count, oldest } = await runningWrites(session.connections.client, session.config.taskQueue);
    const report = await collectGarbage(await session.store(), { ...options, keepNewerThan: oldest });
    return { ...report, runningWrites: count, oldestRunningWrite: oldest === undefined ? null : new Date(oldest).toISOString() };
  });
}

async function runningWrites(client: Client, taskQueue: string): Promise<{ count: number; oldest: number | undefined }> {
  const query = `ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replaceAll("'", "\\'")}'`;
  let count = 0;
  let oldest: number | undefined;
  for await (const execution of client.workflow.list({ query })) {
    count++;
    const started = execution.startTime.getTime();
    oldest = oldest === undefined ? started : Math.min(oldest, started);
  }
  return { count, oldest };
}
