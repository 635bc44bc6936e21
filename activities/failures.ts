import { Context } from '@temporalio/activity';
import { ArtifactsError, LocalFileError, StorageFullError } from '../errors';
import { toFailure } from '../errors/failure';
import { errnoOf, isDiskFull, permanentFileReason } from '../errors/file-errors';

/**
 * Wraps an activity so its failures cross into Temporal typed: a domain error as its class's failure (non-retryable
 * unless the class says a retry can help, and then only for its `maxAttempts`), and a file-system error that no
 * retry can fix as the domain error naming the file. Anything else stays retryable, as Temporal treats it.
 */
export function withFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      const domain = err instanceof ArtifactsError ? err : fileError(err);
      if (!domain) throw err;
      throw toFailure(domain, { attempt: Context.current().info.attempt });
    }
  };
}

/**
 * A raw file-system error the code that hit it did not classify (it knows more and names the file better when it
 * can): a permanent one names its path, a full disk is reported as such.
 */
function fileError(err: unknown): ArtifactsError | undefined {
  const errno = errnoOf(err);
  if (!errno) return undefined;
  if (isDiskFull(errno.code)) return new StorageFullError(errno.path ?? "this worker's data folder", null, errno.code);
  const reason = permanentFileReason(errno.code);
  return reason && errno.path !== undefined ? new LocalFileError(errno.path, reason) : undefined;
}
