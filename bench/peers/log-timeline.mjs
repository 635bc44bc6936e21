// The Temporal stage of a log, for the analysis in docs/benchmarks.md: logs a folder twice from one fresh process
// (the first log of a process, then a second one) against a dev server of its own, and prints each log's
// workflow history as times from the workflow's start, next to the time the caller waited.
//   node bench/peers/log-timeline.mjs DIR [--hard-link]
import { Connection, Client } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Artifact, init, logWorkflowId, startDevServer } from '../../dist/internal.js';

const [dir, flag] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'log-timeline-'));
const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), logFile: path.join(work, 'server.log'), detached: false, headless: true });
try {
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, ARTIFACTS_HOME: path.join(work, 'home'), ARTIFACTS_TASK_QUEUE: 'timeline' };
  const run = await init({ env });
  const waited = [];
  for (const name of ['first', 'second']) {
    const started = process.hrtime.bigint();
    await run.logArtifact(new Artifact(name, 'dataset').addDir(dir, { hardLinkIntoStore: flag === '--hard-link' }));
    waited.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  for (const [i, name] of ['first', 'second'].entries()) {
    const history = await client.workflow.getHandle(logWorkflowId(name, run.id, i)).fetchHistory();
    const t0 = Number(history.events[0].eventTime.seconds) * 1e3 + history.events[0].eventTime.nanos / 1e6;
    console.log(`\n${name} log of the process: the caller waited ${waited[i].toFixed(0)} ms`);
    for (const e of history.events) {
      const t = Number(e.eventTime.seconds) * 1e3 + e.eventTime.nanos / 1e6;
      const type = Object.keys(e).find((k) => k.endsWith('EventAttributes')).replace('EventAttributes', '');
      console.log(`  ${(t - t0).toFixed(1).padStart(8)} ms  ${type}`);
    }
  }
  await run.finish();
  await client.connection.close();
} finally {
  process.kill(server.pid, 'SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}
