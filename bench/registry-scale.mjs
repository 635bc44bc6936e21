// `npm run bench:registry [-- --names 100000 --per-name 10 --pg URL]`: fills a fresh registry (SQLite, and
// PostgreSQL when a URL is given or the test server answers) with NAMES names of PER-NAME versions each (1,000,000
// versions by default), then times what users do among them: resolving `name:latest` and `name:vN`, listing one
// name's versions, listing every name (`artifacts ls`) and committing. Prints p50/p99 per operation and the query
// plans the lookups rely on. Rows are generated in SQL (no manifests behind them): this measures the registry only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Store } from '../dist/internal.js';
import { fillRegistry, postgresSeries, sqliteSeries, timeEach } from './registry-fill.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const NAMES = Number(arg('--names', 100_000));
const PER = Number(arg('--per-name', 10));
const PG_URL = arg('--pg', process.env.ARTIFACTS_TEST_POSTGRES_URL || 'postgres://artifacts:artifacts@127.0.0.1:15432/artifacts_test');
const HEX = '0'.repeat(64);
const fill = (db, series) => fillRegistry(db, series, NAMES, PER);

const pick = (i) => `name-${(i * 7919) % NAMES}`;

async function measure(label, store, series, plan) {
  const { registry } = store;
  const filled = await fill(registry.db, series);
  const rows = [
    ['resolve name:latest', await timeEach(1000, (i) => registry.resolve(`${pick(i)}:latest`))],
    ['resolve name:vN', await timeEach(1000, (i) => registry.resolve(`${pick(i)}:v${i % PER}`))],
    ['versions of one name', await timeEach(200, (i) => registry.versions(pick(i)))],
    ['commit a new version', await timeEach(100, (i) => registry.commit({
      name: pick(i), type: 'dataset', idempotencyKey: `bench-${label}-${i}`,
      manifest: { root: `sha256:${HEX}`, digest: `sha256:${String(i).padStart(64, 'f')}`, count: 1, size: 1 },
    }))],
    ['ls, one page of 100', await timeEach(200, (i) => registry.artifactsPage('default', { limit: 100, ...(i % 2 ? { after: { project: 'default', name: pick(i) } } : {}) }))],
    ['ls (every name, paged)', await timeEach(3, () => registry.artifacts())],
  ];
  console.log(`\n${label}: ${NAMES.toLocaleString()} names x ${PER} = ${(NAMES * PER).toLocaleString()} versions, filled in ${(filled / 1000).toFixed(1)} s`);
  for (const [op, { p50, p99 }] of rows) console.log(`  ${op.padEnd(24)} p50 ${p50.toFixed(2).padStart(9)} ms   p99 ${p99.toFixed(2).padStart(9)} ms`);
  console.log('  plans:');
  for (const [what, sql, params] of [
    ['alias lookup', 'SELECT idx FROM aliases WHERE name = ? AND alias = ?', ['name-5', 'latest']],
    ['version lookup', 'SELECT idx FROM versions WHERE name = ? AND idx = ?', ['name-5', 3]],
  ]) console.log(`    ${what}: ${(await plan(registry.db, sql, params)).join(' | ')}`);
  await store.close();
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-scale-'));
try {
  await measure('SQLite', await Store.fromConfig({ home }),
    sqliteSeries,
    async (db, sql, params) => (await db.all(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail));
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

const dbName = `registry_scale_${process.pid}`;
const admin = new pg.Client({ connectionString: PG_URL });
const reachable = await admin.connect().then(() => true, () => false);
if (!reachable) {
  console.log(`\nPostgreSQL: skipped, nothing answers at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} (npm run services starts the test server).`);
} else {
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(PG_URL);
  url.pathname = `/${dbName}`;
  try {
    const store = await Store.fromConfig({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'registry-scale-')), registryUrl: url.toString() });
    await measure('PostgreSQL', store, postgresSeries, async (db, sql, params) => {
      await db.run('ANALYZE');
      let i = 0;
      return (await db.all(`EXPLAIN ${sql.replace(/\?/g, () => `$${++i}`)}`, params)).map((r) => r['QUERY PLAN'].trim());
    });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
