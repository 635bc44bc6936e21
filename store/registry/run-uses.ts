import type { SqlDb } from './sql-db';

/** A run that used a version: its id, the host it ran on, and when it first asked for the version. */
export interface RunUse {
  readonly run: string;
  readonly host: string;
  readonly at: string;
}

/**
 * Records that run `run` used version `index` of `name` (`run.useArtifact`), once per run and version: the first
 * use is kept, so a retried or repeated call changes nothing.
 */
export async function recordRunUse(db: SqlDb, run: string, name: string, index: number, host: string): Promise<void> {
  await db.run('INSERT INTO run_uses (run_id, used_name, used_idx, host, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [run, name, index, host, new Date().toISOString()]);
}

/** The runs that used a version, oldest use first. */
export async function runsUsing(db: SqlDb, name: string, index: number): Promise<RunUse[]> {
  const rows = await db.all<{ run_id: string; host: string; used_at: string }>(
    'SELECT run_id, host, used_at FROM run_uses WHERE used_name = ? AND used_idx = ? ORDER BY used_at, run_id', [name, index]);
  return rows.map((r) => ({ run: r.run_id, host: r.host, at: r.used_at }));
}

