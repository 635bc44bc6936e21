// Records the history of a real incremental-workflow run (a draft with an add, a replace and a remove) into
// test/fixtures/incremental-workflow-history.json, for the replay test that guards its determinism.
// Usage: npm run build && node scripts/record-incremental-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api, Artifact, init, startDevServer } from '../dist/index.js';
import { findTemporalCli } from '../dist/runtime/temporal-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'record-incremental-'));
let server;
if (!process.env.TEMPORAL_ADDRESS) {
  server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
  process.env.TEMPORAL_ADDRESS = server.address;
}
process.env.ARTIFACTS_HOME = path.join(scratch, 'home');
process.env.ARTIFACTS_TASK_QUEUE = 'record-incremental-history';

const data = path.join(scratch, 'data');
fs.mkdirSync(data);
for (const [name, text] of [['a.txt', 'a'], ['b.txt', 'b'], ['c.txt', 'new'], ['fixed-b.txt', 'b, fixed']]) fs.writeFileSync(path.join(data, name), text);
const run = await init();
await run.logArtifact(new Artifact('recorded-incremental', 'dataset').addFile(path.join(data, 'a.txt')).addFile(path.join(data, 'b.txt')));
const api = new Api();
const draft = (await api.artifact('recorded-incremental:latest')).newDraft();
draft.addFile(path.join(data, 'c.txt')).addFile(path.join(data, 'fixed-b.txt'), { name: 'b.txt' }).remove('a.txt');
const v = await run.logArtifact(draft, { aliases: ['fixture'] });
await run.finish();
await api.close();

const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', v.producer.workflowId, '--output', 'json', '--address', process.env.TEMPORAL_ADDRESS], { encoding: 'utf8' });
fs.writeFileSync(path.join(root, 'test', 'fixtures', 'incremental-workflow-history.json'), json);
console.log(`recorded ${JSON.parse(json).events.length} events of ${v.producer.workflowId}`);
if (server) process.kill(server.pid, 'SIGTERM');
fs.rmSync(scratch, { recursive: true, force: true });
