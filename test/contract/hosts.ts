import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freshPostgresDb, freshS3Url, removeTestPrefixes, s3Env } from './services';
import { startWorker, tempDir } from '../helpers';

/**
 * Simulated hosts that share only Temporal, a fresh PostgreSQL database and a fresh S3 prefix: each host gets its
 * own data folder and ARTIFACTS_HOST_ID, so the activities that read its files run on its queue and nowhere else.
 */
export class SharedServices {
  private readonly workers: ChildProcess[] = [];

  private constructor(
    /** What every host shares: Temporal address, task queue, registry and store URLs, S3 credentials. */
    readonly env: Readonly<Record<string, string>>,
    readonly temporal: Client,
    private readonly connection: Connection,
    private readonly dropDb: () => Promise<void>,
  ) {}

  static async open(extra: Record<string, string> = {}): Promise<SharedServices> {
    const db = await freshPostgresDb();
    const env = {
      ...s3Env,
      TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS']!,
      ARTIFACTS_TASK_QUEUE: `hosts-${randomUUID().slice(0, 8)}`,
      ARTIFACTS_REGISTRY: db.url,
      ARTIFACTS_STORE: await freshS3Url(),
      ...extra,
    };
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    return new SharedServices(env, new Client({ connection }), connection, db.drop);
  }

  /** The environment of one host: the shared settings, its own name and its own data folder. */
  hostEnv(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env['PATH'], HOME: process.env['HOME'], ...this.env, ARTIFACTS_HOST_ID: name, ARTIFACTS_HOME: tempDir(`host-${name}-`), ...extra };
  }

  /** The host's queue name, as workers and clients derive it. */
  queueOf(host: string): string {
    return `${this.env['ARTIFACTS_TASK_QUEUE']}@${host}`;
  }

  /** Starts `artifacts worker` for a host; it is stopped by close(). */
  async startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
    const worker = await startWorker(env);
    this.workers.push(worker);
    return worker;
  }

  /**
   * Waits until the server lists one activity poller on the shared queue for each of `workers` (worker identities
   * are `pid@hostname`): a worker that printed "ready" may not be polling yet, and a task dispatched before then
   * can only go to the others.
   */
  async waitForPollers(workers: readonly ChildProcess[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pids = workers.map((w) => String(w.pid));
    for (;;) {
      const { pollers } = await this.temporal.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: this.env['ARTIFACTS_TASK_QUEUE']! },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      const polling = new Set((pollers ?? []).map((p) => p.identity?.split('@')[0]));
      if (pids.every((pid) => polling.has(pid))) return;
      if (Date.now() > deadline) throw new Error(`workers ${pids.filter((pid) => !polling.has(pid)).join(', ')} never polled ${this.env['ARTIFACTS_TASK_QUEUE']} for activities`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The staging activity of a workflow: the queue it was scheduled on, and the worker pid and attempt of its last run. */
  async stagedBy(workflowId: string, runId?: string): Promise<{ queue: string; pid: number; attempt: number }> {
    const { events } = await this.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const scheduled = (events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'stageArtifact');
    const started = (events ?? []).find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId));
    return {
      queue: scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name ?? '',
      // Worker identities are `pid@hostname`.
      pid: Number(started?.activityTaskStartedEventAttributes?.identity?.split('@')[0]),
      attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
    };
  }

  async close(): Promise<void> {
    for (const w of this.workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await this.connection.close();
    await this.dropDb();
    await removeTestPrefixes();
  }
}
