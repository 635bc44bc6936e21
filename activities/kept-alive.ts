import { Context } from '@temporalio/activity';

/** How often a kept-alive activity heartbeats at most: more often when its heartbeat timeout is under three times this. */
const BEAT_MS = 5_000;

/**
 * Wraps an activity that sends no heartbeat of its own so that it heartbeats every few seconds while it runs. A
 * worker killed mid-call is then noticed within the call's heartbeat timeout and the call is retried on another
 * worker, instead of after its whole start-to-close timeout (ten minutes and more for merges and commits). A local
 * activity has no heartbeat: it is lost with its workflow task, which is retried.
 *
 * Wrap an activity of your own the same way, and give its `proxyActivities` a `heartbeatTimeout` (a minute is ample).
 */
export function keptAlive<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const ctx = Context.current();
    if (ctx.info.isLocal) return fn(...args);
    const beat = setInterval(() => ctx.heartbeat(), Math.min(BEAT_MS, (ctx.info.heartbeatTimeoutMs || Infinity) / 3));
    try {
      return await fn(...args);
    } finally {
      clearInterval(beat);
    }
  };
}
