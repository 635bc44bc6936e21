import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { collectGarbage, type GcReport } from '../store/gc';
import { expireVersions, type ExpiryReport } from '../store/registry/version-lifecycle';
import type { Store } from '../store/store';

export interface GcActivityInput {
  /** Blobs written or reused more recently than this are kept whatever refers to them. */
  readonly graceMs: number;
  /** The task queue whose running workflows are the writes in flight. */
  readonly taskQueue: string;
  readonly dryRun?: boolean;
  readonly allowEmptyRegistry?: boolean;
}

export interface GcActivityResult extends GcReport {
  /** Versions deleted (or, in a dry run, that would be) because their TTL passed or their name's retention rule dropped them. */
  readonly expiry: ExpiryReport;
  /** Writes (log, incremental, collaborative drafts) still running; nothing newer than the oldest one's start was deleted. */
  readonly runningWrites: number;
  readonly oldestRunningWrite: string | null;
}

/**
 * One garbage collection, as `artifacts gc` and the gc schedule run it on the host that holds the store: first the
 * versions whose TTL passed or whose name's retention rule drops them are deleted, then the blobs no remaining
 * version needs are swept. Whatever was written or reused since the oldest running write started (an upload, a
 * collaborative draft still open), or within the grace period before that, is kept, however long ago it was.
 */
export function createGcActivity(store: () => Promise<Store>) {
  return async function collectGarbageActivity(input: GcActivityInput): Promise<GcActivityResult> {
    // Marking a large store takes a while: the activity is kept alive (activities/index.ts), so a lost worker is retried elsewhere on its host.
    return collect(await store(), input, Context.current().client);
  };
}

async function collect(s: Store, input: GcActivityInput, client: Client): Promise<GcActivityResult> {
  const expiry = await expireVersions(s.registry, Date.now(), { dryRun: input.dryRun ?? false });
  const { count, oldest } = await runningWrites(client, input.taskQueue);
  const report = await collectGarbage(s, {
    graceMs: input.graceMs, keepNewerThan: oldest, dryRun: input.dryRun, allowEmptyRegistry: input.allowEmptyRegistry, runningWrites: count,
    writesStartedSince: async (sinceMs) => {
      // Visibility may lag a start by a moment; a write that started during the sweep must be seen.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return (await runningWrites(client, input.taskQueue, sinceMs)).count > 0;
    },
  });
  return { ...report, expiry, runningWrites: count, oldestRunningWrite: oldest === undefined ? null : new Date(oldest).toISOString() };
}

/** Workflows on the task queue that write nothing themselves: gc, and the watchers that start pipeline runs (which do). */
const NOT_WRITES = ['gcWorkflow', 'artifactTriggerWorkflow'];

/** Running workflows of the task queue other than those (NOT_WRITES), and when the oldest started. */
async function runningWrites(client: Client, taskQueue: string, sinceMs?: number): Promise<{ count: number; oldest: number | undefined }> {
  const since = sinceMs === undefined ? '' : ` AND StartTime >= '${new Date(sinceMs).toISOString()}'`;
  const query = `ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replaceAll("'", "\\'")}' ${NOT_WRITES.map((type) => ` AND WorkflowType != '${type}'`).join('')}${since}`;
  let count = 0;
  let oldest: number | undefined;
  for await (const execution of client.workflow.list({ query })) {
    count++;
    const started = execution.startTime.getTime();
    oldest = oldest === undefined ? started : Math.min(oldest, started);
  }
  return { count, oldest };
}
