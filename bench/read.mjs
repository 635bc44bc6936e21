// `npm run bench -- --suite read`: downloads, measured in one run against the plain copy of the same files.
// Local store: a first download of 2 GiB in 4 files and of 20,000 x 4 KiB into an empty folder, against `cp -r` of
// the same files; a second download into the same folder; a download of v1 into the folder holding v0 when 1% of
// the files changed. S3 store (the test SeaweedFS): the same, against a raw @aws-sdk download of the same files
// (bench/s3-raw-get-once.mjs, 10 requests in flight). Each measurement runs in a process of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';
import { makeLarge, makeSmall } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const BUCKET = 'artifacts-bench';

function measure(script, scriptArgs, env) {
  const out = execFileSync(process.execPath, [path.join(here, script), ...scriptArgs], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

function cpR(from, to) {
  execFileSync('sync');
  const started = process.hrtime.bigint();
  const r = spawnSync('cp', ['-r', from, to]);
  if (r.status !== 0) throw new Error(`cp -r failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Rewrites 1% of a folder's files with new bytes of the same size. */
function changeOnePercent(dir) {
  const all = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  const step = 100;
  let changed = 0;
  for (let i = 0; i < all.length; i += step, changed++) fs.writeFileSync(path.join(dir, all[i]), randomBytes(fs.statSync(path.join(dir, all[i])).size));
  return changed;
}

const rate = (bytes, r) => `${r.seconds.toFixed(2)} s  ${(bytes / MiB / r.seconds).toFixed(0)} MiB/s`;

async function measureSet(set, where, baseEnv, scratch) {
  const tag = `${where}-${set.key}`;
  const env = { ...baseEnv, ARTIFACTS_HOME: path.join(scratch, `home-${tag}`), ARTIFACTS_TASK_QUEUE: `bench-read-${tag}` };
  if (where === 's3') env.ARTIFACTS_STORE = `s3://${BUCKET}/read-${randomUUID().slice(0, 8)}`;
  const name = `read-${set.key}`;
  measure('log-once.mjs', [set.dir, name], env);
  const target = path.join(scratch, `out-${tag}`);
  let baseline;
  if (where === 'local') baseline = cpR(set.dir, path.join(scratch, `cp-${tag}`));
  else {
    const raw = `s3://${BUCKET}/raw-${randomUUID().slice(0, 8)}`;
    measure('s3-raw-once.mjs', [set.dir, raw], env);
    baseline = measure('s3-raw-get-once.mjs', [raw, path.join(scratch, `raw-${tag}`)], env);
  }
  execFileSync('sync');
  const first = measure('download-once.mjs', [`${name}:v0`, target], env);
  const second = measure('download-once.mjs', [`${name}:v0`, target], env);
  const lines = [
    `\n${where} store, ${set.label}: ${first.files} files, ${(first.bytes / MiB).toFixed(0)} MiB`,
    `  ${where === 'local' ? 'cp -r' : 'raw SDK GET'}${' '.repeat(where === 'local' ? 17 : 11)}${rate(first.bytes, baseline)}`,
    `  first download        ${rate(first.bytes, first)}  (${first.fetched} fetched)   ${(baseline.seconds / first.seconds).toFixed(2)}x the speed of ${where === 'local' ? 'cp -r' : 'the raw SDK'}`,
    `  second, same folder   ${second.seconds.toFixed(3)} s  (${second.skipped} skipped, ${second.hashed} re-hashed, ${second.fetched} fetched)   ${(first.seconds / second.seconds).toFixed(1)}x faster than the first`,
  ];
  if (set.key === 'small') {
    const changed = changeOnePercent(set.dir);
    measure('log-once.mjs', [set.dir, name], env);
    const v1 = measure('download-once.mjs', [`${name}:v1`, target], env);
    lines.push(`  v1 after v0 (${changed} files changed)  ${v1.seconds.toFixed(3)} s  (${v1.fetched} fetched, ${v1.skipped} skipped)   ${(v1.seconds / first.seconds * 100).toFixed(1)}% of the first download's time`);
  }
  console.log(lines.join('\n'));
}

export async function runRead(args) {
  const only = args.includes('--store') ? args[args.indexOf('--store') + 1] : undefined;
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
    console.log(`node ${process.version}, ${os.cpus().length} cores, one round per row (page cache warm for both sides)`);
    for (const where of ['local', 's3']) {
      if (only && only !== where) continue;
      const sets = [
        { key: 'large', label: '2 GiB in 4 files', dir: path.join(scratch, `large-${where}`), make: (d) => makeLarge(d, 4, 512) },
        { key: 'small', label: '20,000 x 4 KiB', dir: path.join(scratch, `small-${where}`), make: (d) => makeSmall(d, 20_000) },
      ];
      for (const set of sets) {
        set.make(set.dir);
        await measureSet(set, where, baseEnv, scratch);
        fs.rmSync(scratch + `/home-${where}-${set.key}`, { recursive: true, force: true });
      }
    }
  } finally {
    process.kill(server.pid, 'SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
