// Records histories of the collaborative workflows into test/fixtures/ for the replay tests
// (test/collaborative-replay.test.ts): a draft with two writers, a conflict, a duplicate and a finish; a draft run
// that started from a continue-as-new; the upsert workflow of one writer; a fan-out whose shards are its activities.
// fan-out-workflow-history.json and shard-workflow-history.json are kept as recorded before shards became
// activities (SHARD_ACTIVITIES_PATCH), so fan-outs with shard child workflows keep replaying.
// Usage: npm run build && node scripts/record-collaborative-histories.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Artifact, draftWorkflowId, init, runFanOut, startDevServer, upsertWorkflowId } from '../dist/internal.js';
import { findTemporalCli } from '../dist/runtime/temporal-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'record-collaborative-'));
let server;
if (!process.env.TEMPORAL_ADDRESS) {
  server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  process.env.TEMPORAL_ADDRESS = server.address;
}
process.env.ARTIFACTS_HOME = path.join(scratch, 'home');
process.env.ARTIFACTS_TASK_QUEUE = `record-collaborative-${randomUUID().slice(0, 8)}`;
const suffix = randomUUID().slice(0, 8);
const file = (name, content) => {
  const p = path.join(scratch, name);
  fs.writeFileSync(p, content);
  return p;
};

const a = await init({ id: 'writer-a' });
const b = await init({ id: 'writer-b', worker: false });
const id = `recorded-${suffix}`;
await a.upsertArtifact(new Artifact('recorded-draft', 'predictions').addFile(file('one.txt', '1')), { distributedId: id });
await b.upsertArtifact(new Artifact('recorded-draft', 'predictions').addFile(file('two.txt', '2')), { distributedId: id });
await b.upsertArtifact(new Artifact('recorded-draft', 'predictions').addFile(file('two.txt', '2')), { distributedId: id });
await b.upsertArtifact(new Artifact('recorded-draft', 'predictions').addFile(file('one.txt', 'other bytes'), { name: 'one.txt' }), { distributedId: id }).catch((err) => console.log(`conflict as expected: ${err.code}`));
await b.finishArtifact(new Artifact('recorded-draft', 'predictions'), { distributedId: id });
record(draftWorkflowId('recorded-draft', id), 'draft-workflow-history.json');
record(upsertWorkflowId('upsert', 'recorded-draft', id, 'writer-a', 0), 'upsert-workflow-history.json');

const continued = `continued-${suffix}`;
const draft = { continueAsNewAfterUpdates: 2 };
for (let i = 0; i < 3; i++) await a.upsertArtifact(new Artifact('continued-draft', 'predictions').addFile(file(`p${i}.txt`, `${i}`)), { distributedId: continued, draft });
await b.finishArtifact(new Artifact('continued-draft', 'predictions').addFile(file('p3.txt', '3')), { distributedId: continued });
record(draftWorkflowId('continued-draft', continued), 'draft-continued-history.json');

const fanOutId = `recorded-fan-out-${suffix}`;
await runFanOut({
  name: 'recorded-fan-out', type: 'predictions', distributedId: fanOutId, shards: 4, maxConcurrent: 2, contributeBatch: 2,
  command: { argv: ['sh', '-c', 'echo {index} > "$ARTIFACTS_OUTPUT_DIR/out-{index}.txt"'] },
}, { workflowId: fanOutId });
record(fanOutId, 'fan-out-shard-activities-history.json');
await Promise.all([a.finish(), b.finish()]);

/** Replay needs each workflow's id (child ids derive from it); they are kept next to the histories. */
function record(workflowId, name) {
  const idsFile = path.join(root, 'test', 'fixtures', 'collaborative-workflow-ids.json');
  const ids = fs.existsSync(idsFile) ? JSON.parse(fs.readFileSync(idsFile, 'utf8')) : {};
  fs.writeFileSync(idsFile, `${JSON.stringify({ ...ids, [name]: workflowId }, null, 2)}\n`);
  // The CLI prints the history in the proto3 JSON form that Worker.runReplayHistory accepts.
  const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', process.env.TEMPORAL_ADDRESS], { encoding: 'utf8' });
  fs.writeFileSync(path.join(root, 'test', 'fixtures', name), json);
  console.log(`recorded ${JSON.parse(json).events.length} events of ${workflowId} into test/fixtures/${name}`);
}
if (server) process.kill(server.pid, 'SIGTERM');
fs.rmSync(scratch, { recursive: true, force: true });
