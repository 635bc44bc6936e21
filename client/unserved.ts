import type { Client } from '@temporalio/client';
import { hostQueueOf, type ArtifactsConfig } from '../runtime/config';
import { unpolledQueues, type QueueNeed } from '../runtime/pollers';

/** When the first check runs, and how often after it while the write waits. */
const FIRST_CHECK_MS = 3_000;
const RECHECK_MS = 15_000;

/**
 * Says on stderr, within seconds, when a write this process waits for cannot go on because no worker polls a queue
 * it needs (the shared queue runs its workflow, this host's queue reads its files), and how to start one. Each
 * queue is named once; checks stop when the write settles.
 */
export async function warnWhileUnserved(config: ArtifactsConfig, client: Client, what: string, settled: Promise<unknown>, say = (line: string) => process.stderr.write(`${line}\n`)): Promise<void> {
  let done = false;
  void settled.finally(() => (done = true)).catch(() => undefined);
  const needs: QueueNeed[] = [{ queue: config.taskQueue, kind: 'workflow' }, { queue: hostQueueOf(config), kind: 'activity' }];
  const warned = new Set<string>();
  for (let wait = FIRST_CHECK_MS; !done; wait = RECHECK_MS) {
    await Promise.race([settled.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, wait).unref())]);
    if (done) return;
    const unpolled = await unpolledQueues(client, config.namespace, needs).catch(() => []);
    for (const need of unpolled) {
      if (warned.has(need.queue) || done) continue;
      warned.add(need.queue);
      say(need.kind === 'workflow'
        ? `warning: no worker polls the task queue "${need.queue}", so the ${what} cannot run yet; it waits. Start one with \`artifacts worker\` (same TEMPORAL_ADDRESS and ARTIFACTS_TASK_QUEUE), or use init() without { worker: false }.`
        : `warning: no worker on this host polls its queue "${need.queue}", so the files of the ${what} cannot be read yet; it waits. Start one on this host with \`artifacts worker\`, or set ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS to fail instead of waiting.`);
    }
  }
}
