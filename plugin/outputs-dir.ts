import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { makeOutputsFolder } from '../activities/outputs-folder';
import type { HostFolder } from '../workflows/workflow-api-types';

/** Where the activities of a worker with the ArtifactsPlugin put files for a workflow-side artifact call. */
export interface OutputsPlace {
  /** The queue of this worker's host: the artifact call stages the folder there. */
  readonly hostQueue: string;
  /** Where activity output folders are made (private, in the data folder). */
  readonly root: string;
}

const place = new AsyncLocalStorage<OutputsPlace>();

/** An activity interceptor that makes `outputsDir()` work inside every activity of the plugin's workers. */
export function outputsPlaceInterceptor(where: () => OutputsPlace): ActivityInterceptorsFactory {
  return () => ({ inbound: { execute: (input, next) => place.run(where(), () => next(input)) } });
}

/**
 * A fresh folder for the files of the current activity attempt, on this host, and the reference a workflow passes
 * to `logArtifact`, `upsertArtifact` or a draft's `add` to make a version of them:
 *
 *   export async function train(): Promise<HostFolder> {
 *     const out = outputsDir();
 *     await fit(path.join(out.dir, 'model.pt'));
 *     return out;
 *   }
 *
 * Each attempt gets its own folder (a retry never sees a failed attempt's files); it is removed once the version
 * made of it is committed. Call it inside an activity of a worker created with the ArtifactsPlugin.
 */
export function outputsDir(): HostFolder {
  const where = place.getStore();
  if (!where) throw new Error('outputsDir() works inside an activity of a worker created with `plugins: [new ArtifactsPlugin()]`; this code runs outside one.');
  const info = Context.current().info;
  const run = info.workflowExecution;
  const dir = makeOutputsFolder(where.root, { workflowId: run?.workflowId ?? 'standalone', runId: run?.runId ?? info.activityId, activityId: info.activityId, attempt: info.attempt });
  return { hostQueue: where.hostQueue, dir, removeAfterCommit: true };
}
