import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { isolatedEnv, spawnLive, startWorker, tempDir, waitFor, writeFiles, ROOT } from './helpers';
import type { ChildProcess } from 'node:child_process';

const workers: ChildProcess[] = [];
afterAll(() => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
});

/** A script that logs one small file with init({ worker: false }). */
function workerlessScript(name: string): string {
  const file = path.join(writeFiles({ 'data.txt': `no worker ${name}` }), 'data.txt');
  const script = path.join(tempDir('artifacts-script-'), 'log.mjs');
  fs.writeFileSync(script, `
    import { init, Artifact } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};
    const run = await init({ worker: false });
    try {
      const v = await run.logArtifact(new Artifact(${JSON.stringify(name)}, 'dataset').addFile(${JSON.stringify(file)}));
      console.log(v.ref);
    } finally {
      await run.finish();
    }
  `);
  return script;
}

test('a worker-less log that no worker anywhere serves says so within seconds, naming both queues and how to start a worker', async () => {
  const env = isolatedEnv();
  const run = spawnLive([], env, workerlessScript('unserved-anywhere'));
  try {
    await waitFor(() => ((run.output.stderr.match(/warning: no worker/g) ?? []).length === 2 ? true : undefined), 60_000, 'two warnings');
    expect(run.output.stderr).toContain(`warning: no worker polls the task queue "${env.ARTIFACTS_TASK_QUEUE}", so the log of "unserved-anywhere" cannot run yet; it waits. Start one with \`artifacts worker\``);
    expect(run.output.stderr).toMatch(new RegExp(`warning: no worker on this host polls its queue "${env.ARTIFACTS_TASK_QUEUE}@[^"]+", so the files of the log of "unserved-anywhere" cannot be read yet`));
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('with workers only on another host, the warning names this host\'s queue alone; a schedule-to-start timeout turns the wait into an error', async () => {
  const env = isolatedEnv({ ARTIFACTS_HOST_ID: 'this-host' });
  workers.push(await startWorker({ ...env, ARTIFACTS_HOST_ID: 'other-host' }));

  const waiting = spawnLive([], env, workerlessScript('unserved-here'));
  try {
    await waitFor(() => (waiting.output.stderr.includes('warning: no worker on this host') ? true : undefined), 60_000, 'the warning');
    expect(waiting.output.stderr).toContain(`its queue "${env.ARTIFACTS_TASK_QUEUE}@this-host"`);
    expect(waiting.output.stderr).not.toContain('no worker polls the task queue');
  } finally {
    waiting.child.kill('SIGKILL');
  }

  const bounded = await spawnLive([], { ...env, ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS: '3000' }, workerlessScript('bounded-wait')).exited;
  expect(bounded.code).toBe(1);
  expect(bounded.stderr).toContain('NoWorkerError: No worker took up stageArtifact within ARTIFACTS_SCHEDULE_TO_START_TIMEOUT_MS, so nothing was stored and no version was made');
});
