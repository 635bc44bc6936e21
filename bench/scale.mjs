// `npm run bench:scale [-- --files 1000000,10000000 --writers 10000 --per-writer 100 --batch 1 --versions 1000000
//  --only log,collab,registry --scratch DIR]`: what the streaming stager, the O(batch) collaborative merge and the
// paged registry cost at scale.
//  - log: N tiny files generated in a scratch folder (1,000 per folder) are logged by `bench/log-once.mjs` in a process
//    of its own (client and worker; the dev server is apart), reporting wall time, files/s and that process's peak RSS.
//    The files are hard links to 1,000 distinct files: 10M files then need no 10M inodes (a disk rarely has 20M free,
//    the sources plus one blob each), and every per-file cost (walk, stat, open, read, hash, manifest) is still paid;
//    only the blob writes are deduplicated.
//  - collab: W writers of P files each merged into one draft, B writers per batch (the draft's merge activity,
//    called directly on the store): ms per batch over the first and the last 100 batches, then the commit's digest.
//  - registry: 1M versions (100,000 names x 10) in SQLite: resolving refs and listing a page of names and of versions.
// Prints JSON lines and a summary table with the load average beside the numbers. Cleans up its scratch folders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { MERGE_CACHE_BYTES, mergeContributions, settleDraft, RecentBlobs, startDevServer, Store, versionDigestOf, withRecentBlobs, writeManifest } from '../dist/internal.js';
import { fillRegistry, sqliteSeries, timeEach } from './registry-fill.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const FILES = arg('--files', '1000000,10000000').split(',').map(Number);
const WRITERS = Number(arg('--writers', 10_000));
const PER_WRITER = Number(arg('--per-writer', 100));
const BATCH = Number(arg('--batch', 1));
const VERSIONS = Number(arg('--versions', 1_000_000));
const ONLY = arg('--only', 'log,collab,registry').split(',');
const SCRATCH = arg('--scratch', process.env.BENCH_SCRATCH ?? os.tmpdir());
const here = path.dirname(new URL(import.meta.url).pathname);
const round = (n) => Math.round(n * 100) / 100;
const ms = ({ p50, p99, tailPreempted }) => `p50 ${round(p50)} / p99 ${round(p99)} (slowest 1%: ${tailPreempted} preempted)`;
const summary = [];

function report(row) {
  const full = { ...row, loadAverage: round(os.loadavg()[0]) };
  summary.push(full);
  console.log(JSON.stringify(full));
}

/** A folder of `n` tiny files, 1,000 per subfolder, hard-linked to 1,000 distinct ones (see the header). */
function makeCorpus(n, dir) {
  const seeds = path.join(dir, 'seeds');
  const corpus = path.join(dir, 'corpus');
  fs.mkdirSync(seeds, { recursive: true });
  for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(seeds, `${i}`), `tiny file ${i}\n`);
  for (let i = 0; i < n; i++) {
    const folder = path.join(corpus, `part-${String(Math.floor(i / 1000)).padStart(5, '0')}`);
    if (i % 1000 === 0) fs.mkdirSync(folder, { recursive: true });
    fs.linkSync(path.join(seeds, `${i % 1000}`), path.join(folder, `item-${String(i).padStart(8, '0')}.txt`));
  }
  return corpus;
}

async function benchLog() {
  for (const n of FILES) {
    const dir = fs.mkdtempSync(path.join(SCRATCH, 'artifacts-bench-scale-'));
    const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'server.log'), detached: false, headless: true });
    try {
      const made = Date.now();
      const corpus = makeCorpus(n, dir);
      const generateSeconds = (Date.now() - made) / 1000;
      const env = { ...process.env, ARTIFACTS_HOME: path.join(dir, 'home'), TEMPORAL_ADDRESS: server.address, ARTIFACTS_TASK_QUEUE: `bench-scale-${randomUUID().slice(0, 8)}` };
      const child = spawnSync(process.execPath, [path.join(here, 'log-once.mjs'), corpus, `scale-${n}`], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
      if (child.status !== 0) throw new Error(`log of ${n} files failed: ${child.stderr}`);
      const result = JSON.parse(child.stdout.trim().split('\n').pop());
      report({ bench: 'log', files: result.files, seconds: round(result.seconds), filesPerSecond: Math.round(result.files / result.seconds), peakRssMiB: round(result.maxRssKiB / 1024), generateSeconds: round(generateSeconds) });
    } finally {
      process.kill(server.pid, 'SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function benchCollaborative() {
  const dir = fs.mkdtempSync(path.join(SCRATCH, 'artifacts-bench-scale-collab-'));
  const store = await Store.fromConfig({ home: dir });
  try {
    // Writer w's files are spread over the whole tree (part-i/writer-w), the hardest case: every batch lands in many chunks.
    const contribution = async (w) => ({
      writer: `writer-${w}`,
      manifest: await writeManifest(store.blobs, Array.from({ length: PER_WRITER }, (_, i) => ({ path: `part-${String(i).padStart(4, '0')}/writer-${String(w).padStart(6, '0')}.json`, digest: `sha256:${String(w * PER_WRITER + i).padStart(64, '0')}`, size: 100 }))),
    });
    // As the mergeDraft activity merges: the chunks the last batches wrote and read are kept in memory.
    const merging = withRecentBlobs(store.blobs, new RecentBlobs(MERGE_CACHE_BYTES));
    let index = { files: null, writers: null };
    const batchMs = [];
    for (let w = 0; w < WRITERS; w += BATCH) {
      const batch = [];
      for (let k = w; k < Math.min(WRITERS, w + BATCH); k++) batch.push(await contribution(k));
      const t = process.hrtime.bigint();
      const merged = await mergeContributions(merging, index, batch);
      batchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      index = merged.index;
    }
    // What the commit does: fold the pending entries into the files tree, then take the version digest.
    const settleStarted = process.hrtime.bigint();
    index = await settleDraft(merging, index);
    const settleSeconds = round(Number(process.hrtime.bigint() - settleStarted) / 1e9);
    const digestStarted = process.hrtime.bigint();
    await versionDigestOf(store.blobs, index.files.root);
    const mean = (xs) => round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const edge = Math.min(100, Math.floor(batchMs.length / 2));
    report({
      bench: 'collaborative', writers: WRITERS, filesPerWriter: PER_WRITER, writersPerBatch: BATCH, files: index.files.count,
      msPerBatchFirst: mean(batchMs.slice(0, edge)), msPerBatchLast: mean(batchMs.slice(-edge)), commitSettleSeconds: settleSeconds, commitDigestSeconds: round(Number(process.hrtime.bigint() - digestStarted) / 1e9),
      peakRssMiB: round(process.resourceUsage().maxRSS / 1024),
    });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function benchRegistry() {
  const dir = fs.mkdtempSync(path.join(SCRATCH, 'artifacts-bench-scale-registry-'));
  const store = await Store.fromConfig({ home: dir });
  const per = 10;
  const names = Math.ceil(VERSIONS / per);
  const pick = (i) => `name-${(i * 7919) % names}`;
  try {
    const filledMs = await fillRegistry(store.registry.db, sqliteSeries, names, per);
    const { registry } = store;
    const resolveLatest = await timeEach(1000, (i) => registry.resolve(`${pick(i)}:latest`));
    const resolveVersion = await timeEach(1000, (i) => registry.resolve(`${pick(i)}:v${i % per}`));
    const namesPage = await timeEach(200, (i) => registry.artifactsPage('default', { limit: 100, after: { project: 'default', name: pick(i) } }));
    const versionsPage = await timeEach(200, (i) => registry.versionsPage(pick(i), 'default', { limit: 100 }));
    report({
      bench: 'registry', database: 'SQLite', versions: names * per, names, fillSeconds: round(filledMs / 1000),
      resolveLatestMs: ms(resolveLatest), resolveVersionMs: ms(resolveVersion), lsPageOf100Ms: ms(namesPage), versionsPageOf100Ms: ms(versionsPage),
    });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (ONLY.includes('registry')) await benchRegistry();
if (ONLY.includes('collab')) await benchCollaborative();
if (ONLY.includes('log')) await benchLog();
console.table(summary);
