// Where ours spends its time, stage by stage, for the analysis in docs/benchmarks.md: stages a folder into a fresh
// local store (no Temporal: the store alone) under `node --cpu-prof`, and sums each thread's self time by kind of
// work: hashing (BLAKE3), reading, writing, file-system metadata (open, rename, stat, ...), idle, the rest.
//   node bench/peers/profile-stage.mjs DIR [--hard-link]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, flag] = process.argv.slice(2);
const here = fileURLToPath(import.meta.url);

if (process.env.PROFILE_STAGE_INNER) {
  const { Store } = await import('../../dist/store/store.js');
  const { stageSpec } = await import('../../dist/store/staging/stager.js');
  const store = await Store.fromConfig({ home: process.env.PROFILE_STAGE_INNER });
  const op = { op: 'dir', local: path.resolve(dir), prefix: '', ...(flag === '--hard-link' ? { hardLinkIntoStore: true } : {}) };
  const started = process.hrtime.bigint();
  const r = await stageSpec(store, { format: 'temporal-artifacts/spec@1', ops: [op] });
  console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - started) / 1e9, files: r.files, bytes: r.bytes }));
  await store.close();
  process.exit(0);
}

const KINDS = [
  ['hashing', /^(update|digest)$/],
  ['read', /^(read|readSync|readFileSync|tryReadSync)$/],
  ['write', /^(writeBuffer|writeSync|writeFileSync|write|writev)$/],
  ['fs metadata', /^(open|close|rename|renameSync|existsSync|stat|fstat|lstat|mkdir|link|linkSync|utimes|readdir|unlink|realpath)$/],
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-stage-'));
try {
  const out = execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${path.join(work, 'prof')}`, here, dir, ...(flag ? [flag] : [])], { env: { ...process.env, PROFILE_STAGE_INNER: path.join(work, 'home') }, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop());
  console.log(`staged ${result.files} files, ${(result.bytes / 2 ** 20).toFixed(0)} MiB in ${result.seconds.toFixed(2)} s (store only, no Temporal)${flag ? ` ${flag}` : ''}`);
  for (const [i, file] of fs.readdirSync(path.join(work, 'prof')).sort().entries()) {
    const p = JSON.parse(fs.readFileSync(path.join(work, 'prof', file), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const sums = new Map();
    let total = 0;
    p.samples.forEach((id, k) => {
      const name = byId.get(id).callFrame.functionName;
      const kind = KINDS.find(([, re]) => re.test(name))?.[0] ?? 'other (JS, module loading, ...)';
      sums.set(kind, (sums.get(kind) ?? 0) + (p.timeDeltas[k] ?? 0));
      total += p.timeDeltas[k] ?? 0;
    });
    const byFunction = new Map();
    p.samples.forEach((id, k) => {
      const f = byId.get(id).callFrame;
      const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + (p.timeDeltas[k] ?? 0));
    });
    const top = [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, us]) => `${k} ${(us / 1000).toFixed(0)} ms`);
    const parts = [...sums].sort((a, b) => b[1] - a[1]).map(([k, us]) => `${k} ${(us / 1000).toFixed(0)} ms (${((100 * us) / total).toFixed(0)}%)`);
    console.log(`  ${i === 0 ? 'main thread' : `worker ${i}`}: ${(total / 1000).toFixed(0)} ms: ${parts.join(', ')}`);
    console.log(`      top: ${top.join('; ')}`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
