// Records the history of one real log-workflow run into test/fixtures/, for the replay test that guards
// determinism: if a change to workflow code would make old histories fail to replay, that test fails.
// Usage: npm run build && node scripts/record-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Artifact, init, startDevServer } from '../dist/index.js';
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
// The CLI prints the history in the proto3 JSON form that Worker.runReplayHistory accepts.
const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', v.producer.workflowId, '--output', 'json', '--address', process.env.TEMPORAL_ADDRESS], { encoding: 'utf8' });
fs.writeFileSync(path.join(root, 'test', 'fixtures', 'log-workflow-history.json'), json);
console.log(`recorded ${JSON.parse(json).events.length} events of ${v.producer.workflowId}`);
await run.finish();
if (server) process.kill(server.pid, 'SIGTERM');
fs.rmSync(scratch, { recursive: true, force: true });
