// Per-call overhead, the part of a write that is not hashing: `npm run bench -- --suite overhead` (also run at the
// end of `--suite peers`). Against a dev server of its own:
//   (1) a small version end to end in a warm process: `init()` once, a few warm-up logs, then --rounds (default 40)
//       logs of 3 small files each (new content every round), timed one by one: p50 / p90, and the CPU a version
//       costs this process (client + its worker, and the commands it ran) and the dev server;
//   (2) a fan-out of --shards (default 1000) shards of one tiny file each, one in-process worker: wall time, CPU
//       per shard (this process with the shard commands it ran, + the dev server), history events per shard.
// On a shared machine wall times mostly measure the neighbours: the load average is printed beside them.
//   --parts small,fanout (default both)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installRuntime } from '../dist/runtime/worker.js';
import { Artifact, Store, configFromEnv, draftWorkflowId, init, runFanOut, shardWorkflowId, startDevServer, startWorkers } from '../dist/internal.js';

const round2 = (n) => Math.round(n * 100) / 100;
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/** Runs the parts asked for against `server` (one of its own when none is given) and returns their results. */
export async function runOverhead(args, given) {
  const parts = option(args, '--parts', 'small,fanout').split(',');
  installRuntime('ERROR');
  const scratch = fs.mkdtempSync(path.join(process.env.BENCH_SCRATCH ?? os.tmpdir(), 'artifacts-bench-overhead-'));
  const server = given ?? await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  const cpu = cpuMeter(server.pid);
  const results = { when: new Date().toISOString(), cores: os.availableParallelism() };
  try {
    if (parts.includes('small')) results.small = await smallVersions(server, scratch, cpu, Number(option(args, '--rounds', '40')));
    if (parts.includes('fanout')) results.fanOut = await fanOut(server, scratch, cpu, Number(option(args, '--shards', '1000')));
  } finally {
    if (!given) process.kill(server.pid, 'SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`\n${overheadLines(results).join('\n')}`);
  return results;
}

/** (1): a warm process logs `rounds` versions of 3 small files each; every log is timed on its own. */
async function smallVersions(server, scratch, cpu, rounds) {
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(scratch, 'home-small'), ARTIFACTS_TASK_QUEUE: `bench-small-${randomUUID().slice(0, 8)}` };
  const dir = path.join(scratch, 'small');
  fs.mkdirSync(dir, { recursive: true });
  const run = await init({ env, handleSignals: false });
  const logOnce = async (i) => {
    for (let f = 0; f < 3; f++) fs.writeFileSync(path.join(dir, `file-${f}.txt`), `round ${i} file ${f}\n`.repeat(20));
    const started = performance.now();
    await run.logArtifact(new Artifact('small', 'dataset').addDir(dir));
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 5; i++) await logOnce(-1 - i);
    const before = cpu();
    const ms = [];
    for (let i = 0; i < rounds; i++) ms.push(await logOnce(i));
    const after = cpu();
    const row = {
      rounds, p50Ms: round2(quantile(ms, 0.5)), p90Ms: round2(quantile(ms, 0.9)), minMs: round2(Math.min(...ms)),
      cpuMsPerVersion: cpuPer(before, after, rounds),
      loadAverage: round2(os.loadavg()[0]),
    };
    console.log(JSON.stringify({ small: row }));
    return row;
  } finally {
    await run.finish();
  }
}

/** (2): one fan-out of `shards` shards, each writing one tiny file, served by one in-process worker. */
async function fanOut(server, scratch, cpu, shards) {
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(scratch, 'home-fanout'), ARTIFACTS_TASK_QUEUE: `bench-fanout-${randomUUID().slice(0, 8)}` };
  const config = configFromEnv(env);
  const native = await NativeConnection.connect({ address: server.address });
  const store = await Store.fromConfig(config);
  const workers = await startWorkers(config, native, async () => store);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const distributedId = `bench-${randomUUID().slice(0, 8)}`;
    const workflowId = `bench/${distributedId}`;
    const before = cpu();
    const started = performance.now();
    const result = await runFanOut({
      name: 'fan-out', type: 'predictions', distributedId, shards,
      command: { argv: ['sh', '-c', 'echo "{index}" > "$ARTIFACTS_OUTPUT_DIR/out-{index}.txt"'] },
    }, { workflowId, env });
    const seconds = (performance.now() - started) / 1000;
    const after = cpu();
    if (result.version.manifest.count !== shards || result.failedShards.length) throw new Error(`the fan-out made ${result.version.manifest.count} files with ${result.failedShards.length} failed shards`);
    const events = async (id) => {
      let n = 0;
      for await (const e of client.workflow.list({ query: `WorkflowId = '${id}'` })) n += e.historyLength;
      return n;
    };
    // Shards are activities of the fan-out since SHARD_ACTIVITIES_PATCH; before, each was a child workflow of its own.
    const shardEvents = await client.workflow.getHandle(shardWorkflowId(workflowId, 0)).describe().then((d) => d.historyLength, () => 0);
    const row = {
      shards, seconds: round2(seconds),
      cpuMsPerShard: cpuPer(before, after, shards),
      eventsPerShard: round2((await events(workflowId) + await events(draftWorkflowId('fan-out', distributedId))) / shards + shardEvents),
      loadAverage: round2(os.loadavg()[0]),
    };
    console.log(JSON.stringify({ fanOut: row }));
    return row;
  } finally {
    await workers.shutdown();
    await connection.close();
    await native.close();
    await store.close();
  }
}

/**
 * CPU milliseconds of this process's children, on Linux: those that ended (shard commands) and those still running
 * (the worker's long-lived process-tree guard, which ends only with the process), the dev server apart.
 */
function childrenMs(serverPid) {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10 + liveChildrenMs(serverPid);
  } catch {
    return 0;
  }
}

function liveChildrenMs(serverPid) {
  let ms = 0;
  for (const task of fs.readdirSync('/proc/self/task')) {
    const children = fs.readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
    for (const pid of children ? children.split(' ') : []) {
      if (Number(pid) === serverPid) continue;
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ms += (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        // ended meanwhile: counted among the ended children from now on
      }
    }
  }
  return ms;
}

/** CPU milliseconds used so far by this process, by its ended children and (on Linux) by the dev server. */
function cpuMeter(serverPid) {
  return () => {
    const usage = process.cpuUsage();
    let server;
    try {
      const fields = fs.readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
      server = (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      server = undefined;
    }
    return { process: (usage.user + usage.system) / 1000, commands: childrenMs(serverPid), server };
  };
}

function cpuPer(before, after, n) {
  const per = (k) => (after[k] === undefined ? null : round2((after[k] - before[k]) / n));
  return { process: per('process'), commands: per('commands'), server: per('server') };
}

const cpuText = (c) => [c.process, c.commands ?? 0, c.server ?? '?'].join(' + ');

/** The targets of issue 17 for the per-call overhead, as table rows (the peers report and the console share them). */
export function overheadTargets(results) {
  const rows = [];
  const s = results.small;
  if (s) rows.push(`| small version, warm process | p50 < 100 ms | p50 ${s.p50Ms.toFixed(0)} ms, p90 ${s.p90Ms.toFixed(0)} ms over ${s.rounds} logs of 3 files; CPU ${cpuText(s.cpuMsPerVersion)} ms a version (process + its commands + server); load ${s.loadAverage} | ${s.p50Ms < 100 ? 'met' : 'not met'} |`);
  const f = results.fanOut;
  if (f) rows.push(`| ${f.shards.toLocaleString('en-US')}-shard fan-out | < 30 s | ${f.seconds.toFixed(1)} s; CPU ${cpuText(f.cpuMsPerShard)} ms a shard (process + its commands + server); ${f.eventsPerShard} events a shard; load ${f.loadAverage} | ${f.seconds < 30 ? 'met' : 'not met'} |`);
  return rows;
}

function overheadLines(results) {
  return ['| measure | target | measured | |', '| --- | --- | --- | --- |', ...overheadTargets(results)];
}
