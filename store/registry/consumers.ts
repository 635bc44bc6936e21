import type { WorkflowCaller } from './producer';
import type { SqlDb } from './sql-db';

/**
 * Workflows that used a version: a user's workflow that called `useArtifact` records itself here, so lineage shows
 * what consumed a version as well as what made it. Recording the same run again changes nothing (a replayed or
 * retried activity).
 */
export async function recordConsumer(db: SqlDb, name: string, index: number, caller: WorkflowCaller): Promise<void> {
  await db.run(
    'INSERT INTO version_consumers (name, idx, workflow_id, run_id, workflow_type, used_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [name, index, caller.workflowId, caller.runId, caller.workflowType, new Date().toISOString()]);
}

/** The workflow runs that used a version, oldest first. */
export async function consumersOf(db: SqlDb, name: string, index: number): Promise<WorkflowCaller[]> {
  const rows = await db.all<{ workflow_id: string; run_id: string; workflow_type: string }>(
    'SELECT workflow_id, run_id, workflow_type FROM version_consumers WHERE name = ? AND idx = ? ORDER BY used_at, workflow_id, run_id', [name, index]);
  return rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id, workflowType: r.workflow_type }));
}
