// `npm run bench -- --suite large`: large files on the write side, ratios from the same rounds (issue 17):
//   (a') one 2 GiB file logged on every core, against the same log pinned to one core (`taskset -c 0`: node then
//        sees one core, so the store runs one ingest thread);
//   (f)  a 1 GiB file logged, then 1 MiB of it overwritten in place and logged again: the bytes the second version
//        added to the store (summed over the store's files or objects, not taken from our own counters) and its time
//        over the first log's; to a local store and to S3 (the test SeaweedFS of scripts/setup-services.sh).
// Every log runs in a fresh process (bench/peers/ours-once.mjs, the call timed after init()), starts with no dirty
// pages and the file in the page cache, and is checked: its manifest digest must be the one docs/format.md gives
// for the bytes (computed here) and `verify()` must re-hash every stored chunk. Writes docs/benchmarks.md (between
// its large markers). Timing on a shared 2-core machine is noisy: read the ratios, and the medians.
//   --rounds N (default 3)   --parts single,edit,edit-s3 (default all)   --quick (256 MiB and 128 MiB files)
//   --warm: each process logs a one-file version before the timed log (its results are kept apart, as `single@warm`…)
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../../dist/internal.js';
import { blake3AllCores } from '../peers/limits.mjs';
import { ExpectedDigest } from '../peers/expected-digest.mjs';
import { bucketBytes, s3Setup } from './s3-bytes.mjs';
import { writeLargeReport } from './large-report.mjs';
import { quietMemory } from '../quiet-memory.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const MiB = 1024 * 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s) => console.log(s);

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/** A file of `mib` MiB of numbered random 4 MiB blocks (no two alike, so nothing deduplicates by accident). */
function makeFile(file, mib) {
  const block = randomBytes(4 * MiB);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mib / 4; i++) {
    block.writeUInt32LE(i, 0);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
}

/** The digest docs/format.md gives the file's current bytes (read here, untimed). */
function expectedOf(file) {
  const d = new ExpectedDigest();
  const buffer = Buffer.allocUnsafe(8 * MiB);
  const fd = fs.openSync(file, 'r');
  for (let pos = 0, n; (n = fs.readSync(fd, buffer, 0, buffer.length, pos)) > 0; pos += n) d.update(buffer.subarray(0, n));
  fs.closeSync(fd);
  return d.digest();
}

/** Sum of the sizes of the files a local store holds (its temp folder aside). */
function localBytes(home) {
  const root = path.join(home, 'blobs');
  let total = 0;
  for (const rel of fs.readdirSync(root, { recursive: true })) {
    if (String(rel).startsWith('tmp')) continue;
    const st = fs.statSync(path.join(root, String(rel)));
    if (st.isFile()) total += st.size;
  }
  return total;
}

export async function runLarge(args) {
  const rounds = Number(option(args, '--rounds', '3'));
  const parts = option(args, '--parts', 'single,edit,edit-s3').split(',');
  const quick = args.includes('--quick');
  const warm = args.includes('--warm');
  const key = (part) => (warm ? `${part}@warm` : part);
  const root = path.join(repo, '.artifacts-bench');
  const scratch = path.join(root, 'run-large');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  const s3 = parts.includes('edit-s3') ? await s3Setup() : undefined;
  const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  const results = { when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), rounds, quick, parts: {} };
  const bench = { scratch, rounds, quick, s3, ours: oursIn(scratch, server, warm) };
  try {
    log(`node ${process.version}, ${results.cores} cores; ${rounds} rounds${quick ? ' (quick sizes)' : ''}${warm ? ', warm processes' : ''}`);
    if (parts.includes('single')) results.parts[key('single')] = await measureSingle(bench);
    for (const where of ['edit', 'edit-s3'].filter((p) => parts.includes(p))) results.parts[key(where)] = await measureEdit(bench, where);
    writeLargeReport(root, results, { repo, log });
  } finally {
    process.kill(server.pid, 'SIGTERM');
    s3?.client.destroy();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** One log in a fresh process (`pin`: on one core; `warm`: after an untimed one-file log), checked against the digest `expected` of `name`. */
function oursIn(scratch, server, warm) {
  let homes = 0;
  return {
    home: () => path.join(scratch, `home-${homes}`),
    log(home, env, dir, name, expected, pin = false) {
      const cmd = [path.join(repo, 'bench', 'peers', 'ours-once.mjs'), 'log', dir, 'model'];
      const fullEnv = { ...process.env, ...env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: home, ARTIFACTS_TASK_QUEUE: `bench-large-${homes++}`, BENCH_WARM: warm ? '1' : '0' };
      const out = pin
        ? execFileSync('taskset', ['-c', '0', process.execPath, ...cmd], { env: fullEnv, encoding: 'utf8', maxBuffer: 1 << 26 })
        : execFileSync(process.execPath, cmd, { env: fullEnv, encoding: 'utf8', maxBuffer: 1 << 26 });
      const got = JSON.parse(out.trim().split('\n').pop());
      if (!got.verified) throw new Error(`${name}: verify() found stored chunks that do not re-hash to their digests`);
      if (got.files['model.bin'] !== expected) throw new Error(`${name}: model.bin was recorded as ${got.files['model.bin']}, expected ${expected} (docs/format.md)`);
      return got;
    },
  };
}

/** No dirty pages, no page cache left by earlier runs, and the file in the page cache (untimed). */
async function ready(file, size) {
  quietMemory();
  await blake3AllCores([file], [size]);
}

/** (a'): one big file, logged on every core and pinned to one, taking turns. */
async function measureSingle({ scratch, rounds, quick, ours }) {
  const mib = quick ? 256 : 2048;
  const dir = path.join(scratch, 'single');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'model.bin');
  log(`\n(a') one file of ${mib} MiB: every core against one core`);
  makeFile(file, mib);
  const expected = expectedOf(file);
  const all = [];
  const one = [];
  const cpu = { all: [], one: [] };
  for (let r = 0; r < rounds; r++) {
    for (const pinned of r % 2 ? [true, false] : [false, true]) {
      const home = ours.home();
      await ready(file, mib * MiB);
      const got = ours.log(home, {}, dir, pinned ? 'one core' : 'every core', expected, pinned);
      (pinned ? one : all).push(got.seconds);
      cpu[pinned ? 'one' : 'all'].push(got.cpuSeconds);
      fs.rmSync(home, { recursive: true, force: true });
    }
    log(`  round ${r + 1}: every core ${all.at(-1).toFixed(2)} s, one core ${one.at(-1).toFixed(2)} s`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { mib, all, one, allSeconds: median(all), oneSeconds: median(one), allCpu: median(cpu.all), oneCpu: median(cpu.one) };
}

/** (f): a big file logged, 1 MiB of it overwritten in place at an offset that is not chunk-aligned, logged again. */
async function measureEdit({ scratch, rounds, quick, s3, ours }, where) {
  const mib = quick ? 128 : 1024;
  const dir = path.join(scratch, where);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'model.bin');
  log(`\n(f) ${mib} MiB file, 1 MiB overwritten in place, logged again: ${where === 'edit' ? 'local store' : `S3 (${s3.endpoint})`}`);
  makeFile(file, mib);
  const original = expectedOf(file);
  const rows = [];
  for (let r = 0; r < rounds; r++) {
    const home = ours.home();
    const prefix = `large-${randomUUID().slice(0, 8)}`;
    const env = where === 'edit-s3' ? { ...s3.env, ARTIFACTS_STORE: `s3://${s3.bucket}/${prefix}` } : {};
    const stored = async () => (where === 'edit-s3' ? bucketBytes(s3, prefix) : localBytes(home));
    await ready(file, mib * MiB);
    const first = ours.log(home, env, dir, 'first version', original);
    const before = await stored();
    const undo = overwrite(file, Math.floor(((r + 1) * mib * MiB) / (rounds + 2)) + 12_345);
    try {
      const changed = expectedOf(file);
      await ready(file, mib * MiB);
      const second = ours.log(home, env, dir, 'second version', changed);
      rows.push({ first: first.seconds, second: second.seconds, firstCpu: first.cpuSeconds, secondCpu: second.cpuSeconds, addedBytes: (await stored()) - before, firstBytes: before });
    } finally {
      undo();
    }
    log(`  round ${r + 1}: first ${rows.at(-1).first.toFixed(2)} s, second ${rows.at(-1).second.toFixed(2)} s, second stored ${(rows.at(-1).addedBytes / MiB).toFixed(2)} MiB`);
    fs.rmSync(home, { recursive: true, force: true });
    if (where === 'edit-s3') await bucketBytes(s3, prefix, { remove: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    mib, rounds: rows, firstSeconds: median(rows.map((x) => x.first)), secondSeconds: median(rows.map((x) => x.second)),
    ratio: median(rows.map((x) => x.second / x.first)), cpuRatio: median(rows.map((x) => x.secondCpu / x.firstCpu)), addedBytes: Math.max(...rows.map((x) => x.addedBytes)),
  };
}

/** Overwrites 1 MiB at `offset` with new random bytes; returns what puts the old bytes back. */
function overwrite(file, offset) {
  const saved = Buffer.alloc(MiB);
  const fd = fs.openSync(file, 'r+');
  fs.readSync(fd, saved, 0, MiB, offset);
  fs.writeSync(fd, randomBytes(MiB), 0, MiB, offset);
  fs.closeSync(fd);
  return () => {
    const back = fs.openSync(file, 'r+');
    fs.writeSync(back, saved, 0, MiB, offset);
    fs.closeSync(back);
  };
}
