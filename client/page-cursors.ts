import type { NameCursor } from '../store/registry/registry';
import { UsageError } from '../errors';

/**
 * Cursors of paged listings as users pass them back (`artifacts ls --after CURSOR`): a name cursor is the last
 * row's project and name, base64url-encoded so it is one shell word; a version cursor is the version number.
 */
export function encodeNameCursor(cursor: NameCursor): string {
  return Buffer.from(JSON.stringify([cursor.project, cursor.name])).toString('base64url');
}

export function decodeNameCursor(text: string): NameCursor {
  try {
    const [project, name] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof project === 'string' && typeof name === 'string') return { project, name };
  } catch {
    // Falls through to the usage error below.
  }
  throw new UsageError(`--after ${JSON.stringify(text)} is not a cursor of this listing; pass the value the previous page printed after "--after".`);
}

export function versionNumber(after: string | number): number {
  const n = typeof after === 'number' ? after : Number(after.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--after ${JSON.stringify(String(after))} is not a version; give one such as v41.`);
  return n;
}

export function pageLimit(limit: number | undefined): { limit?: number } {
  if (limit === undefined) return {};
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${String(limit)} is not a positive whole number; give one such as 100.`);
  return { limit };
}
