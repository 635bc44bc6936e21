// One measured operation of ours, in a process of its own so its peak RSS is ours alone (the in-process worker
// and its hashing threads included). Prints one JSON line; the parent checks the digests against the generator's.
//   node ours-once.mjs log DIR NAME [--hard-link]         log the folder as a new version
//   node ours-once.mjs draft DIR NAME CHANGES.json        incremental draft of NAME:latest: adds, changes, removes
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, Artifact, init } from '../../dist/index.js';

const [mode, dir, name, extra] = process.argv.slice(2);
const run = await init();
const api = new Api();
// Open (and, the first time, create) the store before timing, as `dvc init` comes before a timed `dvc add`.
await api.artifacts();
// BENCH_WARM=1: log a one-file version first, untimed, so the timed log is not the process's first (which pays for
// compiling the workflow code and the first RPCs), as a training loop's checkpoints after the first are not.
if (process.env.BENCH_WARM === '1') {
  const warmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ours-warm-'));
  fs.writeFileSync(path.join(warmDir, 'warm.txt'), `warm-up ${process.pid}\n`);
  await run.logArtifact(new Artifact(`${name}-warm-up`, 'dataset').addDir(warmDir));
  fs.rmSync(warmDir, { recursive: true, force: true });
}
let seconds;
let version;
// CPU of the whole process (its ingest threads and in-process worker included) during the call, beside the wall time.
const cpuBefore = process.cpuUsage();
if (mode === 'log') {
  const started = process.hrtime.bigint();
  version = await run.logArtifact(new Artifact(name, 'dataset').addDir(dir, { hardLinkIntoStore: extra === '--hard-link' }));
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
} else if (mode === 'draft') {
  const change = JSON.parse(fs.readFileSync(extra, 'utf8'));
  const started = process.hrtime.bigint();
  const draft = (await api.artifact(`${name}:latest`)).newDraft();
  for (const rel of [...change.added, ...change.changed]) draft.addFile(path.join(dir, rel), { name: rel });
  for (const rel of change.removed) draft.remove(rel);
  version = await run.logArtifact(draft);
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
} else {
  throw new Error(`unknown mode ${mode}`);
}
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const maxRssKiB = process.resourceUsage().maxRSS;
await run.finish();
// The check, outside the timing: every stored blob re-hashed, and the manifest's digests listed for the parent.
const logged = await api.artifact(`${name}:${version.version}`);
const report = await logged.verify();
const files = {};
for (const e of await logged.files()) files[e.path] = e.digest;
await api.close();
console.log(JSON.stringify({ seconds, cpuSeconds, maxRssKiB, version: version.version, verified: report.ok, checked: report.checked, files }));
