// `npm run bench:pipelines`: the flagship pipeline (examples/pipelines/flagship.yaml: prepare, train, a fan-out of 4
// evaluation shards, an incremental curate) run once and then again unchanged, in one process with its own worker
// (as `artifacts run` does), on a fresh data folder and a dev server of its own; the second run should find every
// step cached. Then the cost of a step cache lookup in a registry holding 100,000 recorded keys (SQLite, or the
// registry URL given with --registry). Timing on a shared machine is noisy: each figure is a median of rounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Session, startDevServer, startPipeline, StepCache, Store, waitForPipeline } from '../dist/internal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', '3'));
const keys = Number(option('--keys', '100000'));
const flagship = path.join(here, '..', 'examples', 'pipelines', 'flagship.yaml');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-bench-pipelines-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timedRun(session) {
  const t0 = performance.now();
  const result = await waitForPipeline(session, await startPipeline(session, flagship));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, cached: Object.values(result.steps).filter((s) => s.state === 'cached').length, steps: Object.keys(result.steps).length };
}

async function pipelineRounds(server) {
  const firsts = [];
  const seconds = [];
  for (let r = 0; r < rounds; r++) {
    // A fresh data folder (registry, blobs, cache) and queue per round: the first run finds nothing cached.
    Object.assign(process.env, { TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(scratch, `home-${r}`), ARTIFACTS_TASK_QUEUE: `bench-pipelines-${r}` });
    const session = await Session.open({ worker: true, hostWork: 'host' });
    try {
      const first = await timedRun(session);
      const second = await timedRun(session);
      if (second.cached !== second.steps) throw new Error(`the unchanged run had ${second.cached} of ${second.steps} steps cached`);
      firsts.push(first.seconds);
      seconds.push(second.seconds);
      console.log(`  round ${r + 1}: first run ${first.seconds.toFixed(2)} s, unchanged run ${second.seconds.toFixed(2)} s (${second.cached}/${second.steps} steps cached)`);
    } finally {
      await session.close();
    }
  }
  return { first: median(firsts), second: median(seconds) };
}

async function lookupCost() {
  const store = await Store.fromConfig({ home: path.join(scratch, 'lookup'), ...(option('--registry') ? { registryUrl: option('--registry') } : {}) });
  try {
    const recorded = [];
    const t0 = performance.now();
    for (let batch = 0; batch < keys; batch += 5000) {
      await store.registry.db.transaction(async (tx) => {
        const cache = new StepCache(tx);
        for (let i = batch; i < Math.min(keys, batch + 5000); i++) {
          const key = `sha256:${randomBytes(32).toString('hex')}`;
          recorded.push(key);
          await cache.record({ key, kind: 'step', pipeline: 'bench', step: `s${i % 50}`, run: `run-${i}`, outputs: { skipped: false, exitCode: 0, artifact: 'a', version: `v${i}`, ref: `a:v${i}`, digest: key.slice(7), result: null } });
        }
      });
    }
    const fill = (performance.now() - t0) / 1000;
    const cache = new StepCache(store.registry.db);
    const time = async (key) => {
      const t = performance.now();
      await cache.lookUp(key);
      return performance.now() - t;
    };
    const hits = [];
    const misses = [];
    for (let i = 0; i < 2000; i++) {
      hits.push(await time(recorded[Math.floor(Math.random() * recorded.length)]));
      misses.push(await time(`sha256:${randomBytes(32).toString('hex')}`));
    }
    return { fill, hit: median(hits), miss: median(misses) };
  } finally {
    await store.close();
  }
}

const server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
try {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; flagship pipeline, ${rounds} rounds`);
  const { first, second } = await pipelineRounds(server);
  console.log(`flagship: first run ${first.toFixed(2)} s, unchanged re-run ${second.toFixed(2)} s (medians) = ${((100 * second) / first).toFixed(1)}% of the first (target: <= 10% and < 2 s)`);
  const lookup = await lookupCost();
  console.log(`step cache lookup with ${keys.toLocaleString('en-US')} recorded keys (${option('--registry') ? 'given registry' : 'SQLite'}, filled in ${lookup.fill.toFixed(1)} s): hit ${lookup.hit.toFixed(3)} ms, miss ${lookup.miss.toFixed(3)} ms (medians of 2,000)`);
} finally {
  process.kill(server.pid, 'SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
}
