// Records the histories of a real log-workflow run and a real pipeline run (the flagship example) into
// test/fixtures/, for the replay tests that guard determinism: if a change to workflow code would make old
// histories fail to replay, those tests fail. The log is recorded into log-workflow-one-task-history.json;
// log-workflow-history.json is kept as recorded before logs committed in one task (LOCAL_LOG_PATCH), so the old
// road keeps replaying.
// Usage: npm run build && node scripts/record-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import fs from 'node:fs';
import path from 'node:path';
import { Artifact, init, Session, startPipeline, waitForPipeline } from '../dist/internal.js';
import { openRecording, root } from './history-recorder.mjs';

const recording = await openRecording('record-history');
fs.writeFileSync(path.join(recording.data, 'a.txt'), 'recorded');
const run = await init();
const v = await run.logArtifact(new Artifact('recorded', 'dataset', { metadata: { purpose: 'replay fixture' } }).addDir(recording.data), { aliases: ['fixture'] });
await run.finish();
recording.record(v.producer.workflowId, 'log-workflow-one-task-history.json');

const session = await Session.open();
const started = await startPipeline(session, path.join(root, 'examples', 'pipelines', 'flagship.yaml'), { params: { shards: '2' }, runId: 'recorded-pipeline' });
await waitForPipeline(session, started);
await session.close();
recording.record(started.workflowId, 'pipeline-workflow-history.json');
recording.close();
