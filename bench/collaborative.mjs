// `npm run bench:collaborative [-- --shards 100,1000]`: fan-outs of N shards of tiny outputs on a fresh dev server
// and one in-process worker, reporting wall time, shards/s, history events per shard (fan-out parent over all its
// continue-as-new runs, one shard child, the draft) and the time the final commit took (the draft's commitVersion).
// `--shards 10000` runs the large case once. On a shared machine wall time mostly measures the neighbours, so it
// also prints the CPU seconds per shard spent by this process (client + worker) and by the dev server it started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Store, configFromEnv, draftWorkflowId, runFanOut, shardWorkflowId, startDevServer, startWorkers } from '../dist/internal.js';
import { installRuntime } from '../dist/runtime/worker.js';

const args = process.argv.slice(2);
const sizes = (args.includes('--shards') ? args[args.indexOf('--shards') + 1] : '100,1000').split(',').map(Number);
// BENCH_SCRATCH puts the server database and the store elsewhere (long runs on a machine whose /tmp gets cleaned).
const scratch = fs.mkdtempSync(path.join(process.env.BENCH_SCRATCH ?? os.tmpdir(), 'artifacts-bench-collab-'));
let server;
if (!process.env.TEMPORAL_ADDRESS) {
  server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  process.env.TEMPORAL_ADDRESS = server.address;
}
process.env.ARTIFACTS_HOME = path.join(scratch, 'home');
process.env.ARTIFACTS_TASK_QUEUE = `bench-collab-${randomUUID().slice(0, 8)}`;
installRuntime('ERROR');
const config = configFromEnv();
const native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
const store = await Store.fromConfig({ home: config.home });
const workers = await startWorkers(config, native, async () => store);
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
const client = new Client({ connection });

const rows = [];
try {
  for (const shards of sizes) {
    const distributedId = `bench-${shards}-${randomUUID().slice(0, 8)}`;
    const workflowId = `bench/${distributedId}`;
    const started = performance.now();
    const cpuBefore = cpu();
    const result = await runFanOut({
      name: `bench-${shards}`, type: 'predictions', distributedId, shards,
      command: { argv: ['sh', '-c', 'echo "{index}" > "$ARTIFACTS_OUTPUT_DIR/out-{index}.txt"'] },
    }, { workflowId });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpu();
    console.log(JSON.stringify({ shards, files: result.version.manifest.count, seconds: round(seconds), shardsPerSecond: round(shards / seconds), failedShards: result.failedShards.length }));
    // Event counts come from the visibility records (historyLength), so no history, however long, is downloaded.
    const parent = await eventsOfAllRuns(workflowId);
    const draft = await eventsOfAllRuns(draftWorkflowId(`bench-${shards}`, distributedId));
    const shard = (await client.workflow.getHandle(shardWorkflowId(workflowId, 0)).describe()).historyLength;
    const row = {
      shards, files: result.version.manifest.count, seconds: round(seconds), shardsPerSecond: round(shards / seconds),
      eventsPerShard: { parent: round(parent.events / shards), shardChild: shard, draft: round(draft.events / shards), total: round((parent.events + draft.events) / shards + shard) },
      parentRuns: parent.runs, draftRuns: draft.runs, commitSeconds: round(draft.commitMs / 1000), failedShards: result.failedShards.length,
      cpuMsPerShard: { worker: round((cpuAfter.worker - cpuBefore.worker) / shards), server: cpuAfter.server === undefined ? null : round((cpuAfter.server - cpuBefore.server) / shards) },
      loadAverage: round(os.loadavg()[0]),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await workers.shutdown();
  await connection.close();
  await native.close();
  await store.close();
  if (server) process.kill(server.pid, 'SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
}
console.table(rows.map((r) => ({
  shards: r.shards, 's': r.seconds, 'shards/s': r.shardsPerSecond, 'events/shard': r.eventsPerShard.total, 'parent runs': r.parentRuns,
  'draft runs': r.draftRuns, 'commit s': r.commitSeconds, 'cpu ms/shard (worker+server)': `${r.cpuMsPerShard.worker}+${r.cpuMsPerShard.server ?? '?'}`, load: r.loadAverage,
})));

/** CPU milliseconds used so far by this process and (on Linux, when this script started it) the dev server. */
function cpu() {
  const usage = process.cpuUsage();
  let serverMs;
  try {
    if (server) {
      const fields = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      serverMs = (Number(fields[11]) + Number(fields[12])) * 10;
    }
  } catch {
    serverMs = undefined;
  }
  return { worker: (usage.user + usage.system) / 1000, server: serverMs };
}

/**
 * Events over every run of a workflow id (continue-as-new makes several), and, for the draft, how long its
 * commitVersion activity took: the commit of the final version (the draft's last run is short, so it is read).
 */
async function eventsOfAllRuns(workflowId) {
  let events = 0;
  let runs = 0;
  let commitMs = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs++;
    events += execution.historyLength;
    if (!workflowId.startsWith('artifact-draft/') || execution.status.name !== 'COMPLETED') continue;
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'commitVersion');
    const done = scheduled && history.events.find((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(scheduled.eventId));
    if (done) commitMs = millis(done.eventTime) - millis(scheduled.eventTime);
  }
  return { events, runs, commitMs };
}

function millis(t) {
  return Number(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
}

function round(n) {
  return Math.round(n * 100) / 100;
}
