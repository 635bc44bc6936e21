// `npm run bench:ui [-- --versions 10000 --names 10000 --entries 1000000]`: how fast the `artifacts ui` JSON API
// answers what its pages load, over HTTP from a real server on a fresh SQLite registry: the versions of one name
// with VERSIONS versions (`/api/versions`), the list of NAMES names (`/api/artifacts`), both as rows generated in SQL
// (this measures the registry read, the client objects and the JSON answer), and the diff of two ENTRIES-entry
// versions that differ in 10 files (`/api/diff`, real manifests). Prints p50/p99.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Store, editManifest, startUiServer, writeManifest } from '../dist/internal.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const VERSIONS = arg('--versions', 10_000);
const NAMES = arg('--names', 10_000);
const ENTRIES = arg('--entries', 1_000_000);
const HEX = '0'.repeat(64);
const series = (max) => `(WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${max}) SELECT n FROM seq)`;

async function fill(home) {
  const store = await Store.fromConfig({ home });
  const db = store.registry.db;
  const at = "'2026-01-01T00:00:00Z'";
  await db.run(`INSERT INTO artifacts (name, type, created_at, project) VALUES ('big', 'dataset', ${at}, 'default')`);
  await db.run(`INSERT INTO versions (name, idx, digest, manifest_root, file_count, total_size, description, metadata, base_idx, producer, created_at)
    SELECT 'big', n, 'sha256:' || n || '${HEX.slice(0, 40)}', 'sha256:${HEX}', 1000, 123456, 'nightly snapshot', '{"epoch": 3}', NULL, NULL, ${at} FROM ${series(VERSIONS - 1)}`);
  await db.run(`INSERT INTO aliases (name, alias, idx) VALUES ('big', 'latest', ${VERSIONS - 1})`);
  await db.run(`INSERT INTO artifacts (name, type, created_at, project) SELECT 'name-' || n, 'model', ${at}, 'default' FROM ${series(NAMES - 2)}`);
  await db.run(`INSERT INTO versions (name, idx, digest, manifest_root, file_count, total_size, description, metadata, base_idx, producer, created_at)
    SELECT 'name-' || n, 0, 'sha256:' || n || '${HEX.slice(0, 40)}', 'sha256:${HEX}', 1, 1, NULL, '{}', NULL, NULL, ${at} FROM ${series(NAMES - 2)}`);
  await db.run(`INSERT INTO aliases (name, alias, idx) SELECT 'name-' || n, 'latest', 0 FROM ${series(NAMES - 2)}`);
  await twoLargeVersions(store);
  await store.close();
}

/** `huge:v0` with ENTRIES entries and `huge:v1`, the same with 4 files modified, 3 added and 3 removed. */
async function twoLargeVersions(store) {
  const digest = (s) => createHash('sha256').update(s).digest('hex');
  const path = (i) => `shard-${String(i % 1000).padStart(4, '0')}/file-${String(i).padStart(8, '0')}.bin`;
  function* entries() {
    for (let i = 0; i < ENTRIES; i++) yield { path: path(i), digest: digest(String(i)), size: 1000 + (i % 97) };
  }
  const v0 = await writeManifest(store.blobs, entries());
  const edits = [
    ...[11, 222_222, 500_001, 999_998].map((i) => ({ path: path(i % ENTRIES), entry: { path: path(i % ENTRIES), digest: digest(`new ${i}`), size: 7 } })),
    ...[1, 2, 3].map((i) => ({ path: `added/new-${i}.bin`, entry: { path: `added/new-${i}.bin`, digest: digest(`add ${i}`), size: 9 } })),
    ...[77, 400_004, 800_008].map((i) => ({ path: path(i % ENTRIES), entry: null })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const v1 = await editManifest(store.blobs, v0.root, edits);
  await store.registry.commit({ name: 'huge', type: 'dataset', manifest: v0, idempotencyKey: 'bench-huge-0' });
  await store.registry.commit({ name: 'huge', type: 'dataset', manifest: v1.manifest, idempotencyKey: 'bench-huge-1', baseIndex: 0 });
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let bytes = 0;
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function timeEach(times, url) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < times; i++) {
    const t = process.hrtime.bigint();
    bytes = await get(url);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)], p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))], bytes };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-bench-'));
try {
  await fill(home);
  const ui = await startUiServer({ port: 0, env: { ...process.env, ARTIFACTS_HOME: home, ARTIFACTS_PROJECT: 'default' } });
  try {
    const rows = [
      [`/api/versions (${VERSIONS.toLocaleString()} versions of one name)`, await timeEach(30, `${ui.url}api/versions?name=big`)],
      [`/api/artifacts (${NAMES.toLocaleString()} names)`, await timeEach(30, `${ui.url}api/artifacts`)],
      [`/api/diff (${ENTRIES.toLocaleString()} entries, 10 changes)`, await timeEach(30, `${ui.url}api/diff?from=huge:v0&to=huge:v1`)],
    ];
    console.log(`artifacts ui API on SQLite (${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
    for (const [op, r] of rows) console.log(`  ${op.padEnd(44)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   ${(r.bytes / 1024).toFixed(0)} KiB`);
  } finally {
    await ui.close();
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
