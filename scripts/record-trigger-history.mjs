// Records the history of an artifact trigger's watcher (concurrency: latest) that saw three versions one after
// another, into test/fixtures/, for the replay test that guards the watcher's determinism.
// Usage: npm run build && node scripts/record-trigger-history.mjs   (uses TEMPORAL_ADDRESS, else starts a dev server)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openRecording, root } from './history-recorder.mjs';

const recording = await openRecording('record-trigger');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const artifacts = (...args) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const worker = spawn(process.execPath, [cli, 'worker'], { stdio: 'ignore' });
try {
  const log = (text) => {
    fs.writeFileSync(path.join(recording.data, 'a.txt'), text);
    artifacts('log', recording.data, '--name', 'recorded-src', '--type', 'dataset');
  };
  log('v0');
  const file = path.join(path.dirname(recording.data), 'pipeline.yaml');
  fs.writeFileSync(file, `version: 1
name: recorded-trigger
on:
  artifact: { name: recorded-src }
  concurrency: latest
steps:
  note:
    cache: false
    run: [node, -e, "process.stdout.write(process.argv[1])", "\${{ trigger.ref }}"]
`);
  artifacts('deploy', file);
  for (const text of ['v1', 'v2', 'v3']) log(text);
  for (let i = 0; i < 240; i++) {
    const listed = JSON.parse(artifacts('deployments', '--json'));
    if (listed[0]?.lastRun?.runId === 'recorded-trigger-recorded-src-v3') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  recording.record(`artifacts/deploy/record-trigger/recorded-trigger/watch`, 'trigger-watcher-history.json');
  artifacts('undeploy', 'recorded-trigger');
} finally {
  worker.kill('SIGTERM');
  recording.close();
}
