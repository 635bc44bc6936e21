import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/common';
import { NoWorkerError, reviveError } from '../errors';

/**
 * Finds the domain error inside a Temporal failure chain (workflow -> activity -> application failure) and
 * rebuilds it, so callers catch the same typed errors whether the work ran here or on another worker.
 */
export function unwrapFailure(err: unknown): unknown {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) return reviveError(current.type, current.message);
    if (current instanceof ActivityFailure && current.cause instanceof TimeoutFailure && current.cause.timeoutType === 'SCHEDULE_TO_START') return noWorker(current);
    if (!(current instanceof TemporalFailure) && !('cause' in current)) break;
    current = (current as { cause?: unknown }).cause;
  }
  return err;
}

function noWorker(failure: ActivityFailure): NoWorkerError {
  return new NoWorkerError(`No worker took up ${failure.activityType} within ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS, so nothing was stored and no version was made: start \`artifacts worker\` on the host that has the files (or use an in-process worker) and try again.`);
}
