// `npm run bench:incremental`: for bases of 10,000 and 1,000,000 entries (references with checksum: false, so
// the base is metadata only), times the log of the base and its peak RSS, then the incremental save of a draft with
// 10 adds, 10 removes and 10 replacements, and the bytes of new metadata it wrote (manifest chunks, plus the
// draft's spec and edit list). Each size gets a fresh store; the base is logged by one process and the drafts saved
// by another, as a later job would. Saves are medians of 5 rounds. Timing on a shared machine is noisy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const sizes = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1].split(',').map(Number) : [10_000, 1_000_000];
const rounds = 5;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-bench-incremental-'));
const filesDir = path.join(scratch, 'files');
fs.mkdirSync(filesDir);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < 10; k++) {
    fs.writeFileSync(path.join(filesDir, `add-${r}-${k}.png`), `new image ${r}/${k}`);
    fs.writeFileSync(path.join(filesDir, `fix-${r}-${k}.png`), `corrected image ${r}/${k}`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
try {
  console.log(`node ${process.version}, ${os.cpus().length} cores; base = N references (checksum: false); draft = 10 adds + 10 removes + 10 replacements`);
  const results = [];
  for (const n of sizes) {
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(scratch, `home-${n}`), ARTIFACTS_TASK_QUEUE: `bench-incremental-${n}` };
    const step = (...stepArgs) => JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=8192', path.join(here, 'incremental-once.mjs'), ...stepArgs], { env, encoding: 'utf8' }).trim().split('\n').pop());
    const base = step('base', String(n));
    const r = { ...step('saves', String(n), String(rounds), filesDir), baseSeconds: base.seconds, baseRssKiB: base.maxRssKiB };
    results.push(r);
    const save = median(r.saves.map((s) => s.seconds));
    console.log(`\n${n.toLocaleString('en-US')} entries`);
    console.log(`  log the base         ${r.baseSeconds.toFixed(2)} s, peak RSS ${(r.baseRssKiB / 1024).toFixed(0)} MiB`);
    console.log(`  incremental save     ${save.toFixed(3)} s (median of ${r.saves.length}: ${r.saves.map((s) => s.seconds.toFixed(3)).join(', ')}; building the draft, removes checked: ${median(r.saves.map((s) => s.draftSeconds)).toFixed(3)} s)`);
    console.log(`    of which streaming the canonical digest over every leaf (the one O(entries) step, reads only): ${r.digestSeconds.toFixed(3)} s`);
    console.log(`  new metadata         ${kib(median(r.saves.map((s) => s.newMetadataBytes)))} in the store (manifest chunks: ${median(r.saves.map((s) => s.chunksWritten))}, ${kib(median(r.saves.map((s) => s.chunkBytes)))}); added file bytes ${median(r.saves.map((s) => s.addedFileBytes))} B`);
    console.log(`  diff v0 -> latest    ${r.diff.seconds.toFixed(3)} s, ${r.diff.changes} changes, ${r.diff.chunksRead} chunks read`);
    fs.rmSync(env.ARTIFACTS_HOME, { recursive: true, force: true });
  }
  if (results.length >= 2) {
    const [small, large] = [results[0], results[results.length - 1]];
    const ratio = median(large.saves.map((s) => s.seconds)) / median(small.saves.map((s) => s.seconds));
    console.log(`\nincremental save at ${large.n.toLocaleString('en-US')} / at ${small.n.toLocaleString('en-US')}: ${ratio.toFixed(2)}x`);
  }
} finally {
  process.kill(server.pid, 'SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
}
