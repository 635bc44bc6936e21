// Records the histories of a real log-workflow run and a real pipeline run (the flagship example) into
// test/fixtures/, for the replay tests that guard determinism: if a change to workflow code would make old
// histories fail to replay, those tests fail.
// Usage: npm run build && node scripts/record-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Artifact, init, startDevServer } from '../dist/index.js';
import { Session } from '../dist/api/session.js';
import { startPipeline, waitForPipeline } from '../dist/api/pipeline-runs.js';
import { findTemporalCli } from '../dist/runtime/temporal-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'record-history-'));
let server;
if (!process.env.TEMPORAL_ADDRESS) {
  server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  process.env.TEMPORAL_ADDRESS = server.address;
}
process.env.ARTIFACTS_HOME = path.join(scratch, 'home');
process.env.ARTIFACTS_TASK_QUEUE = 'record-history';

const data = path.join(scratch, 'data');
fs.mkdirSync(data);
fs.writeFileSync(path.join(data, 'a.txt'), 'recorded');
const run = await init();
const v = await run.logArtifact(new Artifact('recorded', 'dataset', { metadata: { purpose: 'replay fixture' } }).addDir(data), { aliases: ['fixture'] });
await run.finish();
record(v.producer.workflowId, 'log-workflow-history.json');

const session = await Session.open();
const started = await startPipeline(session, path.join(root, 'examples', 'pipelines', 'flagship.yaml'), { params: { shards: '2' }, runId: 'recorded-pipeline' });
await waitForPipeline(started);
await session.close();
record(started.workflowId, 'pipeline-workflow-history.json');

function record(workflowId, file) {
  // The CLI prints the history in the proto3 JSON form that Worker.runReplayHistory accepts.
  const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', process.env.TEMPORAL_ADDRESS], { encoding: 'utf8' });
  fs.writeFileSync(path.join(root, 'test', 'fixtures', file), json);
  console.log(`recorded ${JSON.parse(json).events.length} events of ${workflowId} into test/fixtures/${file}`);
}
if (server) process.kill(server.pid, 'SIGTERM');
fs.rmSync(scratch, { recursive: true, force: true });
