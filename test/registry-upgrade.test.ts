import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { freshPostgresDb } from './contract/services';
import { tempDir } from './helpers';

/**
 * `test/fixtures/registry-v1` is a data folder made by the release before projects, deletes and TTLs (schema
 * migration 1 only), with the real CLI: `artifacts log` twice (aliases, metadata, a description), `artifacts draft`
 * (a version with a base) and `artifacts run` of a pipeline whose step used `dataset:best` (lineage). Opening it with
 * today's code must upgrade the registry in place and lose nothing. Never opened in place: each test copies it.
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'registry-v1');
const TABLES = ['artifacts', 'versions', 'aliases', 'commits', 'version_uses', 'schema_migrations'];

function copyFixture(): string {
  const home = tempDir('artifacts-upgrade-');
  fs.cpSync(FIXTURE, home, { recursive: true });
  return home;
}

/** Everything the fixture holds, read through the user API. */
async function expectEverythingReadable(api: Api): Promise<void> {
  const names = (await api.artifacts()).map((a) => [a.name, a.type, a.versions, a.latest]);
  expect(names).toEqual([['dataset', 'dataset', 3, 'v2'], ['model', 'model', 1, 'v0']]);
  const versions = await api.versions('dataset');
  expect(versions.map((v) => [v.version, v.aliases, v.base, v.fileCount])).toEqual([
    ['v0', ['best'], null, 2], ['v1', [], null, 3], ['v2', ['latest', 'reviewed'], 'v1', 3],
  ]);
  const v0 = await api.artifact('dataset:best');
  expect(v0).toMatchObject({ version: 'v0', description: 'first cut', metadata: { rows: 2 } });
  expect((await v0.files()).map((f) => f.path)).toEqual(['a.txt', 'sub/b.txt']);
  const v2 = await api.artifact('dataset');
  expect((await v2.files()).map((f) => f.path)).toEqual(['a.txt', 'extra.txt', 'sub/b.txt']);
  expect(await v2.verify()).toMatchObject({ ok: true, checked: 3 });
  const out = tempDir('artifacts-upgrade-out-');
  await v2.download(out);
  expect(fs.readFileSync(path.join(out, 'extra.txt'), 'utf8')).toBe('delta\n');
  expect(await (await api.artifact('dataset:v1')).lineage()).toMatchObject({ derived: ['dataset:v2'], usedBy: [] });
  const model = await api.artifact('model:candidate');
  expect(model.producer?.workflowId).toBe('artifacts/pipeline/fixture-run-1/train/log');
  expect(await model.lineage()).toMatchObject({ uses: ['dataset:v0'] });
  expect(await v0.lineage()).toMatchObject({ usedBy: ['model:v0'] });
  expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('alpha\n');
}

describe('a data folder made by the previous release', () => {
  const dropped: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropped) await drop();
  });

  test('opens on SQLite with every version, alias, metadata, lineage and file, upgraded in place', async () => {
    const home = copyFixture();
    const api = new Api({ env: { ARTIFACTS_HOME: home } });
    try {
      await expectEverythingReadable(api);
    } finally {
      await api.close();
    }
    const db = new Database(path.join(home, 'registry.db'), { readonly: true });
    const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    expect(applied[0]?.version).toBe(1);
    expect(applied.length).toBeGreaterThanOrEqual(1);
  });

  test('opens on PostgreSQL, loaded with the same rows under the old schema, with nothing lost', async () => {
    const home = copyFixture();
    const target = await freshPostgresDb();
    dropped.push(target.drop);
    await loadIntoPostgres(path.join(home, 'registry.db'), target.url);
    const api = new Api({ env: { ARTIFACTS_HOME: home, ARTIFACTS_REGISTRY: target.url } });
    try {
      await expectEverythingReadable(api);
    } finally {
      await api.close();
    }
  });
});

/**
 * Builds the old schema on PostgreSQL from the fixture's own CREATE statements (the migrations are SQL both
 * engines accept) and copies every row, so the PostgreSQL upgrade starts from exactly what the old release wrote.
 */
async function loadIntoPostgres(sqliteFile: string, url: string): Promise<void> {
  const source = new Database(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ddl = source.prepare("SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC, rowid").all() as { sql: string }[];
    for (const { sql } of ddl) await client.query(sql);
    for (const table of TABLES) {
      for (const row of source.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]) {
        const columns = Object.keys(row);
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
      }
    }
  } finally {
    source.close();
    await client.end();
  }
}
