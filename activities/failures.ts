import { Context } from '@temporalio/activity';
import { ArtifactsError } from '../errors';
import { toFailure } from '../errors/failure';

/**
 * Wraps an activity so its domain errors cross into Temporal as their class's failure: non-retryable unless the
 * class says a retry can help, and then only for its `maxAttempts`. Anything else stays retryable, as Temporal
 * treats it.
 */
export function withFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (!(err instanceof ArtifactsError)) throw err;
      throw toFailure(err, { attempt: Context.current().info.attempt });
    }
  };
}
