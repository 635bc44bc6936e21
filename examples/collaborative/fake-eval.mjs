// A pretend evaluation shard: scores its slice of a test set and writes predictions into the output folder the
// fan-out gives it. Run by `artifacts fan-out` (or the fanOut workflow helper) once per shard, on any worker.
//   ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT, ARTIFACTS_OUTPUT_DIR  set by the fan-out
//   EVAL_DELAY_MS  how long to pretend to work (default 200)
//   EVAL_STARTED_DIR  if set, a marker file per shard and host is written there when the shard starts
import fs from 'node:fs';
import path from 'node:path';

const index = Number(process.env.ARTIFACTS_SHARD_INDEX);
const count = Number(process.env.ARTIFACTS_SHARD_COUNT);
const out = process.env.ARTIFACTS_OUTPUT_DIR;
if (!Number.isInteger(index) || !out) {
  console.error('fake-eval: run me through a fan-out (ARTIFACTS_SHARD_INDEX and ARTIFACTS_OUTPUT_DIR are not set)');
  process.exit(2);
}
if (process.env.EVAL_STARTED_DIR) {
  fs.writeFileSync(path.join(process.env.EVAL_STARTED_DIR, `${index}@${process.env.ARTIFACTS_HOST_ID ?? 'host'}`), String(process.pid));
}
await new Promise((resolve) => setTimeout(resolve, Number(process.env.EVAL_DELAY_MS ?? 200)));

const examples = Array.from({ length: 5 }, (_, i) => index * 5 + i);
const lines = examples.map((id) => JSON.stringify({ id, label: id % 3, score: ((id * 7919) % 1000) / 1000 }));
fs.writeFileSync(path.join(out, `shard-${String(index).padStart(5, '0')}-of-${count}.jsonl`), `${lines.join('\n')}\n`);
