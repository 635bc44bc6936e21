import { randomUUID } from 'node:crypto';
import { Run } from './run';
import { SharedSession } from './shared-session';
import { configFromEnv } from '../runtime/config';
import { checkProjectName } from '../store/registry/ref';

export interface InitOptions {
  /** The project this run logs into and looks names up in (default `ARTIFACTS_PROJECT`, else `default`). */
  readonly project?: string;
  /** Runs of one group share it as the default `distributedId` of collaborative artifacts. */
  readonly group?: string;
  /** A run id to use instead of a fresh one (re-attaching after a restart). */
  readonly id?: string;
  /** Run an in-process worker (default true). Set false when separate `artifacts worker` processes serve this host. */
  readonly worker?: boolean;
  /**
   * On SIGINT or SIGTERM, cancel the writes this run waits for, say what became of them and exit with 130 or 143
   * (default true). Set false if your program handles those signals itself.
   */
  readonly handleSignals?: boolean;
  /** Environment to read settings from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * 'host': the in-process worker polls this host's queue, so it takes over file work a crashed process of this host
   * left behind (`artifacts log --run-id` re-attaching); default 'process' (its own queue only).
   */
  readonly hostWork?: 'process' | 'host';
}

/**
 * Starts a run: connects to TEMPORAL_ADDRESS, or starts (or reuses) the embedded dev server, and runs a worker in
 * this process while writes are in flight. Call `run.finish()` when done, or `await using run = await init()`; a
 * script that does neither still exits once its writes are done (see SharedSession).
 */
export async function init(options: InitOptions = {}): Promise<Run> {
  const fromEnv = configFromEnv(options.env);
  const config = options.project === undefined ? fromEnv : { ...fromEnv, project: checkProjectName(options.project) };
  const sessions = new SharedSession({
    config, worker: options.worker ?? true, handleSignals: options.handleSignals ?? true, ...(options.hostWork ? { hostWork: options.hostWork } : {}),
  });
  // Connect now, so a wrong address or a server that cannot start fails here rather than at the first write.
  await sessions.use(async () => undefined);
  return new Run(sessions, options.id ?? randomUUID(), config.project, options.group);
}
