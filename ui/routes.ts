/**
 * The JSON API the pages use (and scripts may): read-only, GET only. Each route takes its arguments from the query
 * string, so refs and paths with any characters travel encoded and nothing is parsed out of the path.
 */
import type { ServerResponse } from 'node:http';
import { ArtifactNotFoundError, InvalidRefError, UsageError } from '../errors';
import { artifactList, folderListing, versionDetail, versionDiff, versionList } from './artifact-views';
import { lineageGraph, type Direction } from './lineage-view';
import { runDetail, runList } from './run-views';
import { sendError, sendJson } from './http';
import type { UiData } from './ui-data';

type Route = (data: UiData, q: Query) => Promise<unknown>;

class Query {
  constructor(private readonly params: URLSearchParams) {}

  /** A required parameter, or a 400 naming it. */
  get(name: string): string {
    const value = this.params.get(name);
    if (value === null || value === '') throw new BadRequest(`Missing query parameter ${JSON.stringify(name)}.`);
    return value;
  }

  optional(name: string, fallback = ''): string {
    return this.params.get(name) ?? fallback;
  }
}

/** A request missing or misspelling an argument: 400. */
class BadRequest extends Error {}

/** No such run: 404 (a ref that resolves to nothing is the store's own ArtifactsError, also 404). */
class NotFound extends Error {}

const DIRECTIONS: readonly Direction[] = ['up', 'down', 'both'];

const ROUTES: Readonly<Record<string, Route>> = {
  '/api/artifacts': (data, q) => artifactList(data, q.optional('q')),
  '/api/versions': (data, q) => versionList(data, q.get('name')),
  '/api/version': (data, q) => versionDetail(data, q.get('ref')),
  '/api/files': (data, q) => folderListing(data, q.get('ref'), q.optional('prefix')),
  '/api/diff': (data, q) => versionDiff(data, q.get('from'), q.get('to')),
  '/api/lineage': (data, q) => {
    const direction = q.optional('direction', 'both') as Direction;
    if (!DIRECTIONS.includes(direction)) throw new BadRequest(`direction must be one of ${DIRECTIONS.join(', ')}.`);
    return lineageGraph(data, q.get('ref'), direction);
  },
  '/api/runs': (data) => runList(data),
  '/api/run': async (data, q) => {
    const run = await runDetail(data, q.get('id'));
    if (run === null) throw new NotFound(`No pipeline run ${JSON.stringify(q.get('id'))}; the runs page lists the runs of this task queue.`);
    return run;
  },
};

export function isApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/');
}

/** Answers one API request; an unknown route or ref is a 404, a malformed one a 400, each with the store's own message. */
export async function answerApi(data: UiData, url: URL, res: ServerResponse): Promise<void> {
  const route = ROUTES[url.pathname];
  if (!route) return sendError(res, 404, `No API route ${url.pathname}; the routes are ${Object.keys(ROUTES).join(', ')} and /api/file.`);
  try {
    sendJson(res, 200, await route(data, new Query(url.searchParams)));
  } catch (err) {
    sendError(res, statusOf(err), err instanceof Error ? err.message : String(err));
  }
}

export function statusOf(err: unknown): number {
  if (err instanceof BadRequest) return 400;
  if (err instanceof NotFound || err instanceof ArtifactNotFoundError) return 404;
  if (err instanceof InvalidRefError || err instanceof UsageError) return 400;
  // Anything else the store explains (an integrity failure, a bad configuration) is the server's problem.
  return 500;
}
