// Shared by bench:registry and bench:scale: a registry filled with NAMES x PER versions in three set-based
// statements (no manifests behind them), a timer of p50/p99, and the series expression of each database.
const HEX = '0'.repeat(64);

/** Inserts the names, versions and `latest` aliases; returns the milliseconds it took. */
export async function fillRegistry(db, series, names, per) {
  const t = Date.now();
  await db.run(`INSERT INTO artifacts (name, type, created_at, project) SELECT 'name-' || n, 'dataset', '2026-01-01T00:00:00Z', 'default' FROM ${series(names - 1)}`);
  await db.run(`INSERT INTO versions (name, idx, digest, manifest_root, file_count, total_size, description, metadata, base_idx, producer, created_at)
    SELECT 'name-' || (n / ${per}), n % ${per}, 'sha256:' || n || '${HEX.slice(0, 40)}', 'sha256:${HEX}', 1, 1, NULL, '{}', NULL, NULL, '2026-01-01T00:00:00Z'
    FROM ${series(names * per - 1)}`);
  await db.run(`INSERT INTO aliases (name, alias, idx) SELECT 'name-' || n, 'latest', ${per - 1} FROM ${series(names - 1)}`);
  return Date.now() - t;
}

export const sqliteSeries = (max) => `(WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${max}) SELECT n FROM seq)`;
export const postgresSeries = (max) => `generate_series(0, ${max}) AS s(n)`;

/**
 * Runs `op` `times` times and returns the median and 99th percentile in milliseconds, and how many of the slowest
 * 1% were preempted by the scheduler (an involuntary context switch while they ran): on a loaded machine the tail of
 * a sub-millisecond lookup is mostly the time another process held the core.
 */
export async function timeEach(times, op) {
  const runs = [];
  for (let i = 0; i < times; i++) {
    const switches = process.resourceUsage().involuntaryContextSwitches;
    const t = process.hrtime.bigint();
    await op(i);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    runs.push({ ms, preempted: process.resourceUsage().involuntaryContextSwitches > switches });
  }
  runs.sort((a, b) => a.ms - b.ms);
  const tail = runs.slice(Math.min(runs.length - 1, Math.floor(runs.length * 0.99)));
  return { p50: runs[Math.floor(runs.length / 2)].ms, p99: tail[0].ms, tailPreempted: `${tail.filter((r) => r.preempted).length}/${tail.length}` };
}
