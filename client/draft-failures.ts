import { ApplicationFailure } from '@temporalio/common';
import { reviveDraftError } from '../errors/draft-errors';
import { unwrapFailure } from './failures';

/**
 * Like unwrapFailure, but rebuilds draft and fan-out errors with their fields (writers, path, version), which
 * travel as the failure's details.
 */
export function unwrapDraftFailure(err: unknown): unknown {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) {
      const revived = reviveDraftError(current.type, current.details?.[0]);
      if (revived) return revived;
      break;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return unwrapFailure(err);
}
