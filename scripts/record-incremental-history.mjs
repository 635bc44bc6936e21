// Records the history of a real incremental-workflow run (a draft with an add, a replace and a remove) into
// test/fixtures/incremental-workflow-history.json, for the replay test that guards its determinism.
// Usage: npm run build && node scripts/record-incremental-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import fs from 'node:fs';
import path from 'node:path';
import { Api, Artifact, init } from '../dist/index.js';
import { openRecording } from './history-recorder.mjs';

const recording = await openRecording('record-incremental-history');
const { data } = recording;
for (const [name, text] of [['a.txt', 'a'], ['b.txt', 'b'], ['c.txt', 'new'], ['fixed-b.txt', 'b, fixed']]) fs.writeFileSync(path.join(data, name), text);
const run = await init();
await run.logArtifact(new Artifact('recorded-incremental', 'dataset').addFile(path.join(data, 'a.txt')).addFile(path.join(data, 'b.txt')));
const api = new Api();
const draft = (await api.artifact('recorded-incremental:latest')).newDraft();
draft.addFile(path.join(data, 'c.txt')).addFile(path.join(data, 'fixed-b.txt'), { name: 'b.txt' }).remove('a.txt');
const v = await run.logArtifact(draft, { aliases: ['fixture'] });
await run.finish();
await api.close();
recording.record(v.producer.workflowId, 'incremental-workflow-history.json');
recording.close();
