// `npm run bench -- --suite peers`: ours beside DVC (`dvc add` into its local cache) and the W&B SDK
// (`wandb.Artifact(...).add_dir(...)`, offline: MD5 on 8 threads plus a staging copy), and beside the hardware
// limits (BLAKE3 on all cores, a plain copy), on the same generated files in the same run. Tools take turns
// within each round (A B A B ...); each reported time is the median of the rounds. Every run is checked: the
// tool's manifest must list every file with the digest the generator recorded, and its cache or store copy must
// re-hash to it. Writes docs/benchmarks.md (between its markers) and docs/benchmarks.png.
// Then the per-call overhead (bench/overhead.mjs: a small version in a warm process, the 1,000-shard fan-out) on
// the same dev server, reported beside the targets.
//   --rounds N (default 3)   --sets a,b,c (default all)   --quick (small sizes, to try the bench itself)
//   --no-overhead (skip the overhead part; its last numbers stay in the report)   --overhead-parts small (skip the fan-out)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../../dist/internal.js';
import { runOverhead } from '../overhead.mjs';
import { makeLarge, makeMany, mutateMany } from './datasets.mjs';
import { blake3AllCores, plainCopy } from './limits.mjs';
import { quietMemory } from '../quiet-memory.mjs';
import { preparePeers } from './peers-venv.mjs';
import { writeReport } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s) => console.log(s);

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

function lastJson(out) {
  return JSON.parse(out.trim().split('\n').pop());
}

/** Fails the bench when a tool's manifest does not list exactly the expected files with the expected digests. */
function check(tool, got, expected, algo) {
  if (!got.verified) throw new Error(`${tool}: its cache/store copy does not re-hash to its manifest (${JSON.stringify(got.bad ?? [])})`);
  const names = Object.keys(expected);
  if (Object.keys(got.files).length !== names.length) throw new Error(`${tool}: manifest has ${Object.keys(got.files).length} files, expected ${names.length}`);
  for (const name of names) {
    if (got.files[name] !== expected[name][algo]) throw new Error(`${tool}: ${name} has ${got.files[name]}, expected ${expected[name][algo]} (${algo === 'md5' ? 'MD5' : 'docs/format.md'})`);
  }
  return { seconds: got.seconds, maxRssKiB: got.maxRssKiB };
}

export async function runPeers(args) {
  const rounds = Number(option(args, '--rounds', '3'));
  const sets = option(args, '--sets', 'a,b,c').split(',');
  const quick = args.includes('--quick');
  const root = path.join(repo, '.artifacts-bench');
  const scratch = new Scratch(path.join(root, `run-${sets.join('')}`));
  const peers = preparePeers(root, log);
  for (const [key, reason] of Object.entries(peers.missing)) log(`SKIPPING ${key}: ${reason}`);
  const has = (key) => peers.versions[key] !== undefined;
  const server = await startDevServer({ dbFile: path.join(scratch.dir, 'temporal.db'), logFile: path.join(scratch.dir, 'server.log'), detached: false, headless: true });
  const tools = toolsOf(scratch, peers, server);
  const results = { when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30), rounds, quick, versions: peers.versions, missing: peers.missing, sets: [] };
  try {
    log(`node ${process.version}, ${results.cores} cores (${results.cpu}); ${rounds} rounds; peers: ${JSON.stringify(peers.versions)}`);
    for (const set of planOf(quick, sets)) {
      results.sets.push(await measureSet(set, { scratch, tools, has, rounds }));
      // Written after every set, so a long run that is stopped still leaves what it measured.
      report(root, results, peers, has);
    }
    if (!args.includes('--no-overhead')) {
      log('\n(overhead) a small version in a warm process, and a fan-out');
      const parts = ['--parts', option(args, '--overhead-parts', 'small,fanout')];
      results.overhead = await runOverhead([...parts, ...(quick ? ['--rounds', '30', '--shards', '100'] : ['--rounds', '40', '--shards', '1000'])], server);
      report(root, results, peers, has);
    }
  } finally {
    process.kill(server.pid, 'SIGTERM');
  }
}

/**
 * The run's scratch folder. What each timed run wrote is moved aside and deleted only after its data set: on this
 * machine's filesystem (ext4 without a journal) a file created within minutes of many deletes takes about 0.8 ms
 * instead of tens of microseconds (`docs/benchmarks.md`), so deleting between runs would make each tool pay for the
 * one before. That holds for the large-file set too: ours stores its 2 GiB as 512 chunk files.
 */
class Scratch {
  constructor(dir) {
    this.dir = dir;
    this.trash = path.join(dir, 'trash');
    this.trashed = 0;
    this.remove(dir);
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Deletes now (an earlier run's folder, a finished data set); `settle` then waits before the next timed run. */
  remove(p) {
    if (!fs.existsSync(p)) return;
    fs.rmSync(p, { recursive: true, force: true });
    this.deletedAt = Date.now();
  }

  /**
   * Before a data set's timed rounds: when something was deleted less than a minute ago, a `sync` and the rest of
   * the minute, so no tool's file creations pay for those deletes (the file system then skips the deleted inodes
   * only for a minute, see docs/benchmarks.md). A previous run's folder of 1,500 chunk files made the first rounds
   * of the next run slow for every tool, ours most.
   */
  async settle(log) {
    if (this.deletedAt === undefined) return;
    execFileSync('sync');
    const wait = this.deletedAt + 61_000 - Date.now();
    if (wait > 0) {
      log(`  waiting ${Math.ceil(wait / 1000)} s after the deletes before timing (docs/benchmarks.md)`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.deletedAt = undefined;
  }

  discard(p) {
    if (!fs.existsSync(p)) return;
    fs.mkdirSync(this.trash, { recursive: true });
    fs.renameSync(p, path.join(this.trash, String(this.trashed++)));
  }

  emptyTrash() {
    this.remove(this.trash);
  }
}

/** How each tool is run: ours in a fresh process and data folder, the peers through the venv's python. */
function toolsOf(scratch, peers, server) {
  const pyEnv = {
    ...process.env, DVC_NO_ANALYTICS: '1', WANDB_MODE: 'offline', WANDB_SILENT: 'true',
    WANDB_DIR: path.join(scratch.dir, 'wandb-dir'), WANDB_CACHE_DIR: path.join(scratch.dir, 'wandb-cache'), WANDB_CONFIG_DIR: path.join(scratch.dir, 'wandb-config'),
  };
  const py = (argv, env = pyEnv) => lastJson(execFileSync(peers.python, [path.join(here, 'peers_once.py'), ...argv], { env, encoding: 'utf8', maxBuffer: 1 << 29, stdio: ['ignore', 'pipe', 'pipe'] }));
  let homes = 0;
  const ours = (argv) => {
    const home = path.join(scratch.dir, `home-${homes++}`);
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: home, ARTIFACTS_TASK_QUEUE: `bench-peers-${homes}` };
    return { home, env, run: (more) => lastJson(execFileSync(process.execPath, [path.join(here, 'ours-once.mjs'), ...(more ?? argv)], { env, encoding: 'utf8', maxBuffer: 1 << 29 })) };
  };
  const dvcRound = (setDir, name) => {
    for (const f of ['.dvc', '.dvc-site-cache', `${name}.dvc`, '.dvcignore']) scratch.discard(path.join(setDir, f));
    py(['dvc-init', setDir]);
  };
  const wandbAdd = (dir) => {
    const data = path.join(scratch.dir, 'wandb-data');
    scratch.discard(data);
    try {
      return py(['wandb-add', dir], { ...pyEnv, WANDB_DATA_DIR: data });
    } finally {
      scratch.discard(data);
    }
  };
  const tinyDir = path.join(scratch.dir, 'tiny');
  fs.mkdirSync(tinyDir);
  fs.writeFileSync(path.join(tinyDir, 'one.txt'), 'one file');
  return { py, ours, dvcRound, wandbAdd, tinyDir };
}

function planOf(quick, sets) {
  return [
    { key: 'a', label: quick ? '4 files of 32 MiB' : '4 files of 512 MiB', make: (d) => makeLarge(d, 4, quick ? 32 : 512) },
    { key: 'b', label: quick ? '2,000 files of 4 KiB' : '20,000 files of 4 KiB', make: (d) => makeMany(d, quick ? 2_000 : 20_000, 4096) },
    { key: 'c', label: quick ? '5,000 files of 1 KiB, then 10 added, 10 changed, 10 removed' : '100,000 files of 1 KiB, then 10 added, 10 changed, 10 removed', make: (d) => makeMany(d, quick ? 5_000 : 100_000, 1024), reversion: true },
  ].filter((s) => sets.includes(s.key));
}

/** Generates one data set, times every tool on it for each round, and returns the medians. */
async function measureSet(set, { scratch, tools, has, rounds }) {
  const setDir = path.join(scratch.dir, `set-${set.key}`);
  const dir = path.join(setDir, 'data');
  log(`\n(${set.key}) ${set.label}: generating`);
  const expected = set.make(dir);
  const names = Object.keys(expected);
  const sizes = names.map((n) => expected[n].size);
  const times = {};
  const data = {
    set, setDir, dir, expected, names, sizes, files: names.map((n) => path.join(dir, n)),
    // Every timed run starts with the data in the page cache: this machine's memory manager (DAMON) evicts idle
    // pages within seconds, and a tool that reads cold files measures the disk instead (4 KiB files: 3-4x slower).
    warm: (listing = expected) => blake3AllCores(Object.keys(listing).map((n) => path.join(dir, n)), Object.values(listing).map((e) => e.size)),
    add: (tool, m) => (times[tool] ??= []).push(m),
  };
  await scratch.settle(log);
  let dropped = true;
  for (let r = 0; r < rounds; r++) {
    // Each timed run starts with no dirty pages left by the one before (sync, untimed), and the order of the
    // tools turns by one each round, so no tool always follows the same neighbour's writes.
    const turns = set.reversion ? reversionTurns(data, { scratch, tools, has }) : copyTurns(data, { scratch, tools, has });
    for (let t = 0; t < turns.length; t++) {
      dropped = quietMemory() && dropped;
      await data.warm();
      await turns[(t + r) % turns.length]();
    }
    log(`  round ${r + 1}: ${Object.entries(times).map(([t, ms]) => `${t} ${ms[ms.length - 1].seconds.toFixed(2)}s`).join(', ')}`);
  }
  const summary = Object.fromEntries(Object.entries(times).map(([tool, ms]) => [tool, {
    seconds: median(ms.map((m) => m.seconds)), all: ms.map((m) => m.seconds),
    maxRssKiB: ms[0].maxRssKiB === undefined ? undefined : median(ms.map((m) => m.maxRssKiB)),
  }]));
  scratch.remove(setDir);
  scratch.emptyTrash();
  return { key: set.key, label: set.label, when: new Date().toISOString(), files: names.length, bytes: sizes.reduce((a, b) => a + b, 0), reversion: set.reversion === true, pageCacheDropped: dropped, tools: summary };
}

/** The turns of a first-version set: the hardware limits, ours (copying and hard-linking), DVC and W&B. */
function copyTurns({ set, setDir, dir, expected, files, sizes, add }, { scratch, tools, has }) {
  const turns = [];
  turns.push(async () => add('blake3 limit', { seconds: await blake3AllCores(files, sizes) }));
  turns.push(() => {
    const dest = path.join(scratch.dir, 'copy');
    add('plain copy', { seconds: plainCopy(dir, dest) });
    scratch.discard(dest);
  });
  if (set.key === 'b') {
    // Ours' fixed cost, for the analysis: a one-file log in a fresh process (first workflow, activity, commit).
    turns.push(() => {
      const o = tools.ours();
      add('ours, a 1-file log (fixed cost)', o.run(['log', tools.tinyDir, 'tiny']));
      scratch.discard(o.home);
    });
  }
  for (const link of [false, true]) {
    turns.push(() => {
      const o = tools.ours();
      const argv = ['log', dir, `set-${set.key}`, ...(link ? ['--hard-link'] : [])];
      add(link ? 'ours (hard links, opt-in)' : 'ours', check('ours', o.run(argv), expected, 'ours'));
      scratch.discard(o.home);
    });
  }
  if (has('dvc')) {
    turns.push(() => {
      tools.dvcRound(setDir, 'data');
      add('DVC', check('DVC', tools.py(['dvc-add', setDir, 'data']), expected, 'md5'));
      scratch.discard(path.join(setDir, '.dvc'));
    });
  }
  if (has('wandb')) turns.push(() => add('W&B', check('W&B', tools.wandbAdd(dir), expected, 'md5')));
  return turns;
}

/** The turns of the re-version set: each tool's first version, then the version after 30 changed files. */
function reversionTurns({ setDir, dir, expected, names, warm, add }, { scratch, tools, has }) {
  const reversion = async (tool, first, again) => {
    const base = check(`${tool} (first version)`, first(), expected, tool.startsWith('ours') ? 'ours' : 'md5');
    const change = mutateMany(dir, expected, names.length, 1024);
    if (change.removed.length !== 10) throw new Error('the mutation did not remove 10 files');
    try {
      const changeFile = path.join(scratch.dir, 'change.json');
      fs.writeFileSync(changeFile, JSON.stringify(change));
      add(`${tool} first version`, base);
      execFileSync('sync');
      await warm(change.expected);
      add(tool, check(tool, again(changeFile), change.expected, tool.startsWith('ours') ? 'ours' : 'md5'));
    } finally {
      change.undo();
    }
  };
  const turns = [];
  turns.push(async () => {
    const o = tools.ours();
    await reversion('ours', () => o.run(['log', dir, 'set-c']), (changeFile) => o.run(['draft', dir, 'set-c', changeFile]));
    scratch.discard(o.home);
  });
  if (has('dvc')) {
    turns.push(async () => {
      tools.dvcRound(setDir, 'data');
      await reversion('DVC', () => tools.py(['dvc-add', setDir, 'data']), () => tools.py(['dvc-add', setDir, 'data']));
      scratch.discard(path.join(setDir, '.dvc'));
    });
  }
  if (has('wandb')) {
    turns.push(async () => {
      const change = mutateMany(dir, expected, names.length, 1024);
      try {
        execFileSync('sync');
        await warm(change.expected);
        add('W&B', check('W&B', tools.wandbAdd(dir), change.expected, 'md5'));
      } finally {
        change.undo();
      }
    });
  }
  return turns;
}

/** Merges this run's sets into the saved results (a run of `--sets c` keeps the others' last numbers) and writes the report. */
function report(root, results, peers, has) {
  const file = path.join(root, 'peers-results.json');
  const saved = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { sets: [] };
  const mine = new Set(results.sets.map((s) => s.key));
  const merged = { ...results, overhead: { ...saved.overhead, ...results.overhead }, sets: [...saved.sets.filter((s) => !mine.has(s.key)), ...results.sets].sort((a, b) => a.key.localeCompare(b.key)) };
  fs.writeFileSync(file, JSON.stringify(merged, null, 2));
  writeReport(merged, { repo, python: has('matplotlib') ? peers.python : undefined, log });
}
