import { ApplicationFailure } from '@temporalio/common';
import { ArtifactsError } from '../errors';

/**
 * Turns a domain error into an ApplicationFailure whose type is the error's code, non-retryable when a retry
 * cannot help (bad input, missing files), so the workflow fails at once with the user's message.
 */
export function asFailure(err: unknown): unknown {
  if (err instanceof ArtifactsError) {
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: !err.retryable });
  }
  return err;
}

/** Wraps an activity so domain errors cross into Temporal as typed failures. */
export function withFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw asFailure(err);
    }
  };
}
