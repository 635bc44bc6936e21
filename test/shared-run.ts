import { afterAll, beforeAll } from 'vitest';
import { Api, init, type InitOptions, type Run } from 'temporal-artifacts';
import { isolatedEnv } from './helpers';

/** What most test files share: a run opened before their tests and finished after them, and an Api to read with. */
export interface SharedRun {
  readonly run: Run;
  readonly api: Api;
}

/**
 * Gives the calling test file (or describe block) its own data folder and task queue, a run opened with `options`
 * before its tests and finished after them, and an Api closed after them.
 */
export function sharedRun(options: InitOptions = {}): SharedRun {
  Object.assign(process.env, isolatedEnv());
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
  };
}
