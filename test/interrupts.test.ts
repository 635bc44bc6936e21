import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, expect, test } from 'vitest';
import { cli, isolatedEnv, spawnLive, startWorker, tempDir, waitFor, writeUniqueFile, ROOT } from './helpers';
import type { ChildProcess } from 'node:child_process';

// Slow enough that the signal always arrives while the file is being staged.
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(2 * 1024 * 1024) });
const workers: ChildProcess[] = [];
afterAll(() => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
});

function bigFile(): string {
  const file = path.join(tempDir(), 'big.bin');
  writeUniqueFile(file, 48 * 1024 * 1024);
  return file;
}

/** A script that logs `file` with init({ worker: false }) and prints each progress report. */
function workerlessScript(file: string, name: string): string {
  const script = path.join(tempDir('artifacts-script-'), 'log.mjs');
  fs.writeFileSync(script, `
    import { init, Artifact } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};
    const run = await init({ worker: false });
    console.log('started');
    await run.logArtifact(new Artifact(${JSON.stringify(name)}, 'dataset').addFile(${JSON.stringify(file)}), { onProgress: () => console.log('progress') });
    console.log('logged');
    await run.finish();
  `);
  return script;
}

test('SIGTERM stops `artifacts log` mid-upload with exit 143, cancels the log and makes no version', async () => {
  const log = spawnLive(['log', bigFile(), '--name', 'interrupted-log', '--type', 'dataset'], env);
  await waitFor(() => (/MiB\/48\.0 MiB/.test(log.output.stderr) ? true : undefined), 60_000, 'upload progress');
  log.child.kill('SIGTERM');
  const done = await log.exited;
  expect(done.code, done.stderr).toBe(143);
  expect(done.stderr).toContain('interrupted (SIGTERM): cancelling log of "interrupted-log"');
  expect(done.stderr).toContain('log of "interrupted-log": cancelled; no version was made.');
  expect(cli(['show', 'interrupted-log:latest'], env).code).toBe(1);
});

test('SIGINT stops an init({ worker: false }) script with exit 130 and cancels its log on the worker that ran it; the worker carries on', async () => {
  const worker = await startWorker(env);
  workers.push(worker);
  const run = spawnLive([], env, workerlessScript(bigFile(), 'interrupted-script'));
  await waitFor(() => (run.output.stdout.includes('progress') ? true : undefined), 60_000, 'upload progress');
  run.child.kill('SIGINT');
  const done = await run.exited;
  expect(done.code, done.stderr).toBe(130);
  expect(done.stdout).not.toContain('logged');
  expect(done.stderr).toContain('log of "interrupted-script": cancelled; no version was made.');
  expect(worker.exitCode).toBeNull();
  expect(cli(['show', 'interrupted-script:latest'], env).code).toBe(1);
  worker.kill('SIGTERM');
});

test('SIGTERM stops an init({ worker: false }) script whose log no worker serves, and says the log ends, without a version, once a worker acts on it', async () => {
  const alone = isolatedEnv();
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  const logs = async (): Promise<string[]> => {
    const statuses: string[] = [];
    for await (const w of new Client({ connection }).workflow.list({ query: `WorkflowId STARTS_WITH 'artifacts/log/unserved/' AND TaskQueue = '${alone['ARTIFACTS_TASK_QUEUE']!}'` })) statuses.push(w.status.name);
    return statuses;
  };
  try {
    const run = spawnLive([], alone, workerlessScript(path.join(ROOT, 'package.json'), 'unserved'));
    await waitFor(async () => ((await logs()).length > 0 ? true : undefined), 60_000, 'the log workflow to start');
    run.child.kill('SIGTERM');
    const done = await run.exited;
    expect(done.code, done.stderr).toBe(143);
    expect(done.stderr).toMatch(/log of "unserved": cancellation requested \(workflow artifacts\/log\/unserved\/[^)]+\); no worker has acted on it yet/);

    // A worker that comes later ends it, cancelled, without a version.
    const worker = await startWorker(alone);
    workers.push(worker);
    expect(await waitFor(async () => ((await logs())[0] === 'RUNNING' ? undefined : await logs()), 60_000, 'the worker to act')).toEqual(['CANCELLED']);
    expect(cli(['show', 'unserved:latest'], alone).code).toBe(1);
    worker.kill('SIGTERM');
  } finally {
    await connection.close();
  }
});
