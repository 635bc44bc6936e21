// `npm run bench -- --suite read`: downloads, measured in one run against the plain copy of the same files.
// Local store: a first download of 2 GiB in 4 files and of 20,000 x 4 KiB into an empty folder, against `cp -r` of
// the same files; a second download into the same folder; a download of v1 into the folder holding v0 when 1% of
// the files changed, and of v2 when 10% did (so the cost of each changed file shows, beside what any download pays),
// locally each against `cp -r` of just the changed files over their old copies (the change copied by hand).
// S3 store (the test SeaweedFS): the same, against a raw @aws-sdk download of the same files (bench/s3-raw-get-once.mjs, 10 requests in flight). Each measurement runs in a process of its own; `--rounds N`
// (default 3) rounds, each a baseline then ours, and the medians (of times, and of each round's ratio) are printed.
// `--store local|s3` runs one store only, `--set large|small` one data set only.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';
import { makeLarge, makeSmall } from './fixtures.mjs';
import { hotGiBFor, hotMemory, quietMemory } from './quiet-memory.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const BUCKET = 'artifacts-bench';

function measure(script, scriptArgs, env) {
  const out = execFileSync(process.execPath, [path.join(here, script), ...scriptArgs], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

function cpR(from, to) {
  const started = process.hrtime.bigint();
  const r = spawnSync('cp', ['-r', from, to]);
  if (r.status !== 0) throw new Error(`cp -r failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Reads every file under `dir` once, untimed, so both sides start from the page cache: this machine's memory manager
 * evicts idle pages within seconds, and whichever side ran next would otherwise measure the disk.
 */
function warm(dir) {
  execFileSync('bash', ['-c', 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', 'warm', dir]);
}

/** Before a timed side: no page cache left, what it reads (a folder, or objects under an S3 URL) warmed, memory the host backs. */
function readyToTime(where, source, env, bytes) {
  quietMemory();
  if (where === 'local') warm(source);
  else measure('s3-raw-get-once.mjs', [source, '-'], env);
  hotMemory(hotGiBFor(bytes));
}

/**
 * Rewrites every `step`th of a folder's files (in path order, so spread over every folder) with new bytes of the same
 * size, and copies each changed file to the same place under `changes` (the baseline's copy of just those files).
 */
function changeEvery(dir, step, changes) {
  const all = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  let changed = 0;
  for (let i = 0; i < all.length; i += step, changed++) {
    const bytes = randomBytes(fs.statSync(path.join(dir, all[i])).size);
    fs.writeFileSync(path.join(dir, all[i]), bytes);
    fs.mkdirSync(path.dirname(path.join(changes, all[i])), { recursive: true });
    fs.writeFileSync(path.join(changes, all[i]), bytes);
  }
  return changed;
}

/** `cp -r` of a folder holding only the changed files onto a folder holding the old version: the change copied by hand. */
function cpChanges(changes, onto) {
  return cpR(`${changes}/.`, onto);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (bytes, seconds) => `${seconds.toFixed(3)} s  ${(bytes / MiB / seconds).toFixed(0)} MiB/s`;
const spread = (xs, digits) => `(rounds: ${xs.map((x) => x.toFixed(digits)).join(', ')})`;

/**
 * Logs the set (and, for the small set, a v1 with 1% of its files changed), then runs `rounds` rounds, each:
 * the baseline into a fresh folder, a first download into a fresh folder, a second one into the same folder, and
 * for the small set v1 into that folder. Medians of each, and of each round's ratio, are printed.
 */
async function measureSet(set, where, baseEnv, scratch, rounds) {
  const tag = `${where}-${set.key}`;
  const env = { ...baseEnv, ARTIFACTS_HOME: path.join(scratch, `home-${tag}`), ARTIFACTS_TASK_QUEUE: `bench-read-${tag}` };
  if (where === 's3') env.ARTIFACTS_STORE = `s3://${BUCKET}/read-${randomUUID().slice(0, 8)}`;
  const name = `read-${set.key}`;
  measure('log-once.mjs', [set.dir, name], env);
  const changed = set.key === 'small' ? logChanged(set.dir, name, env) : {};
  const raw = `s3://${BUCKET}/raw-${randomUUID().slice(0, 8)}`;
  if (where === 's3') measure('s3-raw-once.mjs', [set.dir, raw], env);
  const runs = [];
  const written = [];
  for (let round = 0; round < rounds; round++) {
    const baselineDir = path.join(scratch, `base-${tag}-${round}`);
    const target = path.join(scratch, `out-${tag}-${round}`);
    written.push(baselineDir, target);
    // Every first download starts cold on this host: no read cache of the remote store.
    fs.rmSync(path.join(env.ARTIFACTS_HOME, 'cache'), { recursive: true, force: true });
    // Each side starts with no page cache left by earlier runs, and what it reads warmed again (so neither measures the
    // disk): the files copied or our store's blobs; from S3, the objects it fetches, read once through the server
    // (its volume files hold every earlier run's objects too, and reading them all filled the memory).
    readyToTime(where, where === 'local' ? set.dir : raw, env, set.bytes);
    const baseline = where === 'local' ? cpR(set.dir, baselineDir) : measure('s3-raw-get-once.mjs', [raw, baselineDir], env);
    readyToTime(where, where === 'local' ? path.join(env.ARTIFACTS_HOME, 'blobs') : env.ARTIFACTS_STORE, env, set.bytes);
    const first = measure('download-once.mjs', [`${name}:v0`, target], env);
    execFileSync('sync');
    const second = measure('download-once.mjs', [`${name}:v0`, target], env);
    const v1 = set.key === 'small' ? measure('download-once.mjs', [`${name}:v1`, target], env) : undefined;
    // Locally, right after each: the same change copied by hand onto the baseline's folder (which holds v0, then v1).
    const byHand = (version) => (set.key === 'small' && where === 'local' ? cpChanges(changed.dirs[version], baselineDir).seconds : undefined);
    const cp1 = byHand('v1');
    // Back to v0 (untimed), then v2 beside it.
    if (set.key === 'small') measure('download-once.mjs', [`${name}:v0`, target], env);
    const v2 = set.key === 'small' ? measure('download-once.mjs', [`${name}:v2`, target], env) : undefined;
    const cp2 = byHand('v2');
    runs.push({ baseline: baseline.seconds, first, second, v1, v2, cp1, cp2 });
  }
  // Deleted only now, and the small set's thousands of files only as the bench ends (with its scratch folder): on this
  // ext4, files created within minutes of a large delete are several times slower (profiled: a new inode skips those
  // of recently deleted files, each looked up in its inode table block), and whatever was timed next would pay for it.
  if (set.key === 'large') for (const dir of written) fs.rmSync(dir, { recursive: true, force: true });
  const { files, bytes } = runs[0].first;
  const baseName = where === 'local' ? 'cp -r' : 'raw SDK GET';
  const speed = runs.map((r) => r.baseline / r.first.seconds);
  const faster = runs.map((r) => r.first.seconds / r.second.seconds);
  const lines = [
    `\n${where} store, ${set.label}: ${files} files, ${(bytes / MiB).toFixed(0)} MiB, median of ${rounds} rounds`,
    `  ${baseName.padEnd(21)} ${rate(bytes, median(runs.map((r) => r.baseline)))}`,
    `  first download        ${rate(bytes, median(runs.map((r) => r.first.seconds)))}  (${runs[0].first.fetched} fetched)   ${median(speed).toFixed(2)}x the speed of ${baseName} ${spread(speed, 2)}`,
    `  second, same folder   ${median(runs.map((r) => r.second.seconds)).toFixed(3)} s  (${runs[0].second.skipped} skipped, ${runs[0].second.hashed} re-hashed, ${runs[0].second.fetched} fetched)   ${median(faster).toFixed(1)}x faster than the first ${spread(faster, 1)}`,
  ];
  if (set.key === 'small') lines.push(...changeLines(runs, changed, files, where === 'local'));
  console.log(lines.join('\n'));
}

/**
 * Logs v1 of the set with 1% of its files changed and v2 with 10%, each spread over every folder; how many each
 * changed, and a folder of each holding only its changed files.
 */
function logChanged(dir, name, env) {
  const changed = { dirs: {} };
  for (const [version, step] of [['v1', 100], ['v2', 10]]) {
    const copy = `${dir}-${version}`;
    execFileSync('cp', ['-r', dir, copy]);
    changed.dirs[version] = `${dir}-changes-${version}`;
    changed[version] = changeEvery(copy, step, changed.dirs[version]);
    measure('log-once.mjs', [copy, name], env);
    // Kept until the rounds end, as everything the bench writes: files created within minutes of a large delete are
    // several times slower on this ext4 (it skips the inodes of recently deleted files, reading their table blocks).
    changed.dirs[`${version} copy`] = copy;
  }
  return changed;
}

/**
 * The rows of v1 and v2 after v0, and what each changed file costs (from the two) beside what is left. Locally, each
 * against the same change copied by hand (`cp -r` of just the changed files over their old copies): what a download
 * spends beyond the check every download makes (the second download's time) is then set beside what copying the
 * change costs on this file system, where replacing a file costs several times creating one.
 */
function changeLines(runs, changed, files, byHand) {
  const lines = [];
  const second = median(runs.map((r) => r.second.seconds));
  for (const [version, cp] of [['v1', 'cp1'], ['v2', 'cp2']]) {
    const share = runs.map((r) => (r[version].seconds / r.first.seconds) * 100);
    const v = runs[0][version];
    lines.push(`  ${version} after v0 (${changed[version]} files changed)  ${median(runs.map((r) => r[version].seconds)).toFixed(3)} s  (${v.fetched} fetched, ${(v.fetchedBytes / MiB).toFixed(1)} MiB, ${v.skipped} skipped, ${v.hashed} re-hashed)   ${median(share).toFixed(1)}% of the first download's time ${spread(share, 1)}`);
    if (!byHand) continue;
    // Per round: (ours - the second download) / cp of the changed files.
    const beyond = runs.map((r) => (r[version].seconds - r.second.seconds) / r[cp]);
    lines.push(`    cp -r of just those ${changed[version]} files over their old copies: ${median(runs.map((r) => r[cp])).toFixed(3)} s; ours beyond the second download's ${second.toFixed(3)} s: ${median(beyond).toFixed(2)}x that ${spread(beyond, 2)}`);
  }
  // What each changed file costs, from the two: (v2 - v1) over the files v2 changes beyond v1, against the first download's cost per file.
  const perChange = runs.map((r) => ((r.v2.seconds - r.v1.seconds) / (changed.v2 - changed.v1)) * 1e6);
  const perFirst = runs.map((r) => (r.first.seconds / files) * 1e6);
  const fixed = runs.map((r) => (r.v1.seconds - (changed.v1 * (r.v2.seconds - r.v1.seconds)) / (changed.v2 - changed.v1)) * 1e3);
  const cpPer = byHand ? `, cp -r of the changes: ${median(runs.map((r) => ((r.cp2 - r.cp1) / (changed.v2 - changed.v1)) * 1e6)).toFixed(0)} us` : '';
  lines.push(`  per changed file       ${median(perChange).toFixed(0)} us (the first download: ${median(perFirst).toFixed(0)} us per file${cpPer}) ${spread(perChange, 0)}; the rest of v1 after v0: ${median(fixed).toFixed(0)} ms (the second download: ${(second * 1e3).toFixed(0)} ms)`);
  return lines;
}

export async function runRead(args) {
  const only = args.includes('--store') ? args[args.indexOf('--store') + 1] : undefined;
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
  const onlySet = args.includes('--set') ? args[args.indexOf('--set') + 1] : undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-bench-read-'));
  execFileSync('bash', [path.join(here, '..', 'scripts', 'setup-services.sh')], { stdio: 'inherit' });
  const s3Env = {
    AWS_ENDPOINT_URL: process.env.ARTIFACTS_TEST_S3_ENDPOINT || 'http://127.0.0.1:18333',
    AWS_ACCESS_KEY_ID: process.env.ARTIFACTS_TEST_S3_ACCESS_KEY || 'artifacts-test',
    AWS_SECRET_ACCESS_KEY: process.env.ARTIFACTS_TEST_S3_SECRET_KEY || 'artifacts-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  execFileSync(process.execPath, ['-e', `const { S3Client, CreateBucketCommand } = require('@aws-sdk/client-s3');
    new S3Client({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1', forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: '${BUCKET}' })).catch(() => {});`], { env: { ...process.env, ...s3Env } });
  const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  try {
    const baseEnv = { ...process.env, ...s3Env, TEMPORAL_ADDRESS: server.address };
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${rounds} rounds per row, each a baseline then our download (page cache warm for both sides, and memory the host backs: bench/quiet-memory.mjs)`);
    for (const where of ['local', 's3']) {
      if (only && only !== where) continue;
      const sets = [
        { key: 'large', label: '2 GiB in 4 files', bytes: 2 ** 31, dir: path.join(scratch, `large-${where}`), make: (d) => makeLarge(d, 4, 512) },
        { key: 'small', label: '20,000 x 4 KiB', bytes: 20_000 * 4096, dir: path.join(scratch, `small-${where}`), make: (d) => makeSmall(d, 20_000) },
      ];
      for (const set of sets) {
        if (onlySet && onlySet !== set.key) continue;
        set.make(set.dir);
        await measureSet(set, where, baseEnv, scratch, rounds);
        if (set.key !== 'large') continue;
        fs.rmSync(scratch + `/home-${where}-${set.key}`, { recursive: true, force: true });
        fs.rmSync(set.dir, { recursive: true, force: true });
      }
    }
  } finally {
    process.kill(server.pid, 'SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
