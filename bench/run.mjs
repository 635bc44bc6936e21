// `npm run bench`: logs 2 GiB in 4 files and 20,000 files of 4 KiB to a fresh local store, next to sha256sum over
// the same files in the same run (page cache warm for both), and prints wall time, MB/s, files/s, peak RSS and the
// ratio. Timing on shared machines is noisy: read the ratios, and the median of the rounds.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const suite = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : 'foundation';
if (suite === 'peers') {
  await (await import('./peers/suite.mjs')).runPeers(args);
  process.exit(0);
}
if (suite === 'large') {
  await (await import('./large/suite.mjs')).runLarge(args);
  process.exit(0);
}
if (suite === 'overhead') {
  await (await import('./overhead.mjs')).runOverhead(args);
  process.exit(0);
}
if (suite === 'read') {
  await (await import('./read.mjs')).runRead(args);
  process.exit(0);
}
if (suite !== 'foundation') throw new Error(`unknown --suite ${suite}: use foundation (the default), peers, large, overhead or read`);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-bench-'));
const MiB = 1024 * 1024;

function makeLarge(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const block = randomBytes(4 * MiB);
  for (let f = 0; f < 4; f++) {
    const fd = fs.openSync(path.join(dir, `shard-${f}.bin`), 'w');
    for (let i = 0; i < 512 / 4; i++) {
      block.writeUInt32LE(f * 1000 + i, 0);
      fs.writeSync(fd, block);
    }
    fs.closeSync(fd);
  }
}

function makeSmall(dir) {
  for (let i = 0; i < 20_000; i++) {
    const sub = path.join(dir, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${i}.bin`), randomBytes(4096));
  }
}

function files(dir) {
  return fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))).filter((f) => fs.statSync(f).isFile());
}

function sha256sum(list) {
  const started = process.hrtime.bigint();
  // xargs batches the file list as a shell would; sha256sum is the single-threaded coreutils baseline.
  const r = spawnSync('xargs', ['-0', 'sha256sum'], { input: list.join('\0'), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function ours(dir, env, name) {
  const out = execFileSync(process.execPath, [path.join(here, 'log-once.mjs'), dir, name], { env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
try {
  const sets = [
    { label: '2 GiB in 4 files', dir: path.join(scratch, 'large'), make: makeLarge },
    { label: '20,000 files of 4 KiB', dir: path.join(scratch, 'small'), make: makeSmall },
  ];
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${rounds} rounds (fresh store each round), medians`);
  for (const set of sets) {
    set.make(set.dir);
    const list = files(set.dir);
    sha256sum(list); // warm the page cache for both contestants
    const oursRounds = [];
    const baseRounds = [];
    for (let r = 0; r < rounds; r++) {
      const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(scratch, `home-${set.dir.length}-${r}`), ARTIFACTS_TASK_QUEUE: `bench-${r}` };
      // Flush earlier rounds' writes first, so neither contestant pays for the other's dirty pages.
      execFileSync('sync');
      oursRounds.push(ours(set.dir, env, `bench-${r}`));
      execFileSync('sync');
      baseRounds.push(sha256sum(list));
      fs.rmSync(env.ARTIFACTS_HOME, { recursive: true, force: true });
    }
    const t = median(oursRounds.map((o) => o.seconds));
    const base = median(baseRounds);
    const { bytes, files: n } = oursRounds[0];
    if (oursRounds.some((o) => o.written !== bytes)) throw new Error('a round did not write every byte: the measurement is not of a fresh store');
    console.log(`\n${set.label}: ${n} files, ${(bytes / MiB).toFixed(0)} MiB`);
    console.log(`  ours       ${t.toFixed(2)} s  ${(bytes / MiB / t).toFixed(0)} MiB/s  ${(n / t).toFixed(0)} files/s  peak RSS ${(median(oursRounds.map((o) => o.maxRssKiB)) / 1024).toFixed(0)} MiB`);
    console.log(`  sha256sum  ${base.toFixed(2)} s  ${(bytes / MiB / base).toFixed(0)} MiB/s  ${(n / base).toFixed(0)} files/s`);
    console.log(`  ratio      ours is ${(base / t).toFixed(2)}x the speed of sha256sum (hash + copy into the store vs hash only)`);
  }
} finally {
  process.kill(server.pid, 'SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
}
