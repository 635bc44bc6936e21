import type { GcActivityInput, GcActivityResult } from '../activities/gc-activity';
import { onWritersHost, type FilePlacement } from './host-activities';

/** Where and how to collect: on the host that holds the store (its queue), with the grace period and the options of `artifacts gc`. */
export interface GcWorkflowInput extends FilePlacement, GcActivityInput {}

/**
 * One garbage collection: expired versions deleted, then unreferenced blobs swept, on the host that holds the store
 * (a local store lives on one machine). `artifacts gc` runs it at once; `artifacts gc --schedule 1h` installs a
 * Temporal Schedule that starts it every hour, so nothing depends on someone running a command.
 */
export async function gcWorkflow(input: GcWorkflowInput): Promise<GcActivityResult> {
  const { graceMs, taskQueue, dryRun, allowEmptyRegistry } = input;
  const gc = { graceMs, taskQueue, ...(dryRun ? { dryRun } : {}), ...(allowEmptyRegistry ? { allowEmptyRegistry } : {}) };
  return onWritersHost(input, (host) => host.collectGarbageActivity(gc));
}
