import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Api, init, type InitOptions, type Run } from 'temporal-artifacts';
import { isolatedEnv, blobFile } from './helpers';

/** What most test files share: a run opened before their tests and finished after them, and an Api to read with. */
export interface SharedRun {
  readonly run: Run;
  readonly api: Api;
  /** The isolated environment the file runs in (also set in process.env). */
  readonly env: ReturnType<typeof isolatedEnv>;
  /** Where the local store keeps the blob of a SHA-256 `digest`, for tests that damage or inspect it. */
  blobPath(digest: string): string;
}

/**
 * Gives the calling test file (or describe block) its own data folder and task queue, a run opened with `options`
 * before its tests and finished after them, and an Api closed after them.
 */
export function sharedRun(options: InitOptions = {}): SharedRun {
  const env = isolatedEnv();
  Object.assign(process.env, env);
  const api = new Api();
  let run: Run | undefined;
  beforeAll(async () => {
    run = await init(options);
  });
  afterAll(async () => {
    await run?.finish();
    await api.close();
  });
  return {
    get run(): Run {
      if (!run) throw new Error('The shared run opens in beforeAll: use it inside a test.');
      return run;
    },
    api,
    env,
    blobPath: (digest) => blobFile(path.join(env.ARTIFACTS_HOME, 'blobs'), digest),
  };
}
