import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { reviveError } from '../errors';

/**
 * Finds the domain error inside a Temporal failure chain (workflow -> activity -> application failure) and
 * rebuilds it, so callers catch the same typed errors whether the work ran here or on another worker.
 */
export function unwrapFailure(err: unknown): unknown {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) return reviveError(current.type, current.message);
    if (!(current instanceof TemporalFailure) && !('cause' in current)) break;
    current = (current as { cause?: unknown }).cause;
  }
  return err;
}
