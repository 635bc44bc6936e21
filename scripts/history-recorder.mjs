// What the record-*history scripts share: a scratch data folder and task queue, a dev server unless
// TEMPORAL_ADDRESS names one, and writing a workflow's history into test/fixtures/ for the replay tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dist/internal.js';
import { findTemporalCli } from '../dist/runtime/temporal-cli.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Sets up a recording named `name`; returns its (empty) data folder, `record` and `close`. */
export async function openRecording(name) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  let server;
  if (!process.env.TEMPORAL_ADDRESS) {
    server = await startDevServer({ dbFile: path.join(scratch, 'temporal.db'), logFile: path.join(scratch, 'server.log'), detached: false, headless: true });
    process.env.TEMPORAL_ADDRESS = server.address;
  }
  process.env.ARTIFACTS_HOME = path.join(scratch, 'home');
  process.env.ARTIFACTS_TASK_QUEUE = name;
  const data = path.join(scratch, 'data');
  fs.mkdirSync(data);
  return {
    data,
    /** Writes the history of `workflowId` to test/fixtures/`file`. */
    record(workflowId, file) {
      // The CLI prints the history in the proto3 JSON form that Worker.runReplayHistory accepts.
      const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', process.env.TEMPORAL_ADDRESS], { encoding: 'utf8' });
      fs.writeFileSync(path.join(root, 'test', 'fixtures', file), json);
      console.log(`recorded ${JSON.parse(json).events.length} events of ${workflowId} into test/fixtures/${file}`);
    },
    close() {
      if (server) process.kill(server.pid, 'SIGTERM');
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
