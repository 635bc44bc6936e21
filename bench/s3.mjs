// `npm run bench:s3`: logs 4 x 512 MiB and 10,000 x 4 KiB to the local S3 server (SeaweedFS, started by
// scripts/setup-services.sh), next to a raw @aws-sdk upload of the same files in the same run (bench/s3-raw-once.mjs,
// `aws s3 cp` defaults), and prints wall time, MB/s, files/s, peak RSS and the ratio. Every round writes to a fresh
// prefix, so nothing is deduplicated, and deletes it afterwards. Shared machines are noisy: read the medians.
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';
import { makeLarge, makeSmall } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-bench-s3-'));
const MiB = 1024 * 1024;
const BUCKET = 'artifacts-bench';

execFileSync('bash', [path.join(here, '..', 'scripts', 'setup-services.sh')], { stdio: 'inherit' });
const s3Env = {
  AWS_ENDPOINT_URL: process.env.ARTIFACTS_TEST_S3_ENDPOINT || 'http://127.0.0.1:18333',
  AWS_ACCESS_KEY_ID: process.env.ARTIFACTS_TEST_S3_ACCESS_KEY || 'artifacts-test',
  AWS_SECRET_ACCESS_KEY: process.env.ARTIFACTS_TEST_S3_SECRET_KEY || 'artifacts-test-secret',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
Object.assign(process.env, s3Env);
const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });

function measure(script, scriptArgs, env) {
  const out = execFileSync(process.execPath, [path.join(here, script), ...scriptArgs], { env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

async function removePrefix(prefix) {
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (label, r, bytes, n) =>
  `  ${label.padEnd(10)} ${r.seconds.toFixed(2)} s  ${(bytes / MiB / r.seconds).toFixed(0)} MiB/s  ${(n / r.seconds).toFixed(0)} files/s  peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`;

const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
try {
  const sets = [
    { label: '4 x 512 MiB', dir: path.join(scratch, 'large'), make: (dir) => makeLarge(dir, 4, 512) },
    { label: '10,000 x 4 KiB', dir: path.join(scratch, 'small'), make: (dir) => makeSmall(dir, 10_000) },
  ];
  console.log(`node ${process.version}, ${os.cpus().length} cores, S3 at ${s3Env.AWS_ENDPOINT_URL}, ${rounds} rounds (fresh prefix each round), medians`);
  for (const set of sets) {
    set.make(set.dir);
    const oursRounds = [];
    const rawRounds = [];
    for (let r = 0; r < rounds; r++) {
      const prefix = `round-${randomUUID().slice(0, 8)}`;
      const home = path.join(scratch, `home-${r}`);
      const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: home, ARTIFACTS_TASK_QUEUE: `bench-s3-${r}`, ARTIFACTS_STORE: `s3://${BUCKET}/${prefix}/ours` };
      // Alternate who goes first, so neither always meets a warmer server.
      const runOurs = () => oursRounds.push(measure('log-once.mjs', [set.dir, `bench-${r}`], env));
      const runRaw = () => rawRounds.push(measure('s3-raw-once.mjs', [set.dir, `s3://${BUCKET}/${prefix}/raw`], env));
      if (r % 2) { runRaw(); runOurs(); } else { runOurs(); runRaw(); }
      await removePrefix(prefix);
      fs.rmSync(home, { recursive: true, force: true });
    }
    const { bytes, files: n } = oursRounds[0];
    if (oursRounds.some((o) => o.written !== bytes)) throw new Error('a round did not write every byte: the measurement is not of a fresh store');
    const ours = { seconds: median(oursRounds.map((o) => o.seconds)), maxRssKiB: median(oursRounds.map((o) => o.maxRssKiB)) };
    const raw = { seconds: median(rawRounds.map((o) => o.seconds)), maxRssKiB: median(rawRounds.map((o) => o.maxRssKiB)) };
    console.log(`\n${set.label}: ${n} files, ${(bytes / MiB).toFixed(0)} MiB`);
    console.log(line('ours', ours, bytes, n));
    console.log(line('raw sdk', raw, bytes, n));
    console.log(`  ratio      ours is ${(raw.seconds / ours.seconds).toFixed(2)}x the speed of the raw upload (ours also hashes, verifies SHA-256 per part and commits a version)`);
  }
} finally {
  process.kill(server.pid, 'SIGTERM');
  s3.destroy();
  fs.rmSync(scratch, { recursive: true, force: true });
}
