// Multi-worker evaluation: N shards of fake-eval.mjs run on whichever `artifacts worker` processes are up (start
// several, on one machine or many), each shard staging its predictions where it ran; the fan-out commits them
// as one version of "eval-predictions". Started again with the same DISTRIBUTED_ID while it runs, it re-attaches.
//   node examples/collaborative/evaluate.mjs [SHARDS]      (start workers first: ARTIFACTS_HOST_ID=a artifacts worker)
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFanOut } from 'temporal-artifacts';

const shards = Number(process.argv[2] ?? 20);
const distributedId = process.env.DISTRIBUTED_ID ?? `eval-${randomUUID().slice(0, 8)}`;
const started = Date.now();
const result = await runFanOut({
  name: 'eval-predictions',
  type: 'predictions',
  distributedId,
  shards,
  command: { argv: [process.execPath, path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-eval.mjs')] },
  prefix: 'predictions',
  minSuccessRatio: Number(process.env.MIN_SUCCESS_RATIO ?? 1),
  shardHeartbeatTimeoutMs: Number(process.env.SHARD_HEARTBEAT_TIMEOUT_MS ?? 30_000),
  metadata: { shards },
});
const v = result.version;
console.log(JSON.stringify({
  version: `${v.name}:${v.version}`, created: result.created, files: v.manifest.count, succeeded: result.succeeded,
  failedShards: result.failedShards, seconds: (Date.now() - started) / 1000,
}));
