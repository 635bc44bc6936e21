// Records the history of an incremental-workflow run whose draft was stale and got rebased onto a newer latest
// (the path behind the 'rebase-stale-drafts' patch) into test/fixtures/incremental-rebased-history.json, for the
// replay test. The older fixture (incremental-workflow-history.json) keeps guarding histories from before the patch.
// Usage: npm run build && node scripts/record-rebase-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import fs from 'node:fs';
import path from 'node:path';
import { Api, Artifact, init } from '../dist/index.js';
import { openRecording } from './history-recorder.mjs';

const recording = await openRecording('record-rebase-history');
const { data } = recording;
for (const [name, text] of [['a.txt', 'a'], ['b.txt', 'b'], ['a2.txt', 'a, newer'], ['c.txt', 'new']]) fs.writeFileSync(path.join(data, name), text);
const run = await init();
await run.logArtifact(new Artifact('recorded-rebase', 'dataset').addFile(path.join(data, 'a.txt')).addFile(path.join(data, 'b.txt')));
const api = new Api();
const base = await api.artifact('recorded-rebase:v0');
await run.logArtifact(base.newDraft().addFile(path.join(data, 'a2.txt'), { name: 'a.txt' }));
// Made from v0 after v1 changed a.txt: it touches only c.txt and b.txt, so it is applied on top of v1.
const v = await run.logArtifact(base.newDraft().addFile(path.join(data, 'c.txt')).remove('b.txt'));
if (v.rebasedOnto !== 'v1') throw new Error(`expected a rebase onto v1, got ${JSON.stringify(v.rebasedOnto)}`);
await run.finish();
await api.close();
recording.record(v.producer.workflowId, 'incremental-rebased-history.json');
recording.close();
