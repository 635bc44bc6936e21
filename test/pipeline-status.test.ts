import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { cli, isolatedEnv, ROOT, startWorker, tempDir, waitFor } from './helpers';

const fixture = (name: string): string => path.join(ROOT, 'test', 'pipelines', name);

function runId(stdout: string): string {
  const match = /(?:started|attached to) run (\S+)/.exec(stdout);
  if (!match) throw new Error(`no run id in: ${stdout}`);
  return match[1]!;
}

function status(id: string, env: NodeJS.ProcessEnv): { code: number; stderr: string; json?: { state: string; steps: Record<string, { state: string; ref?: string }> } } {
  const out = cli(['status', id, '--json'], env);
  return { code: out.code, stderr: out.stderr, ...(out.code === 0 ? { json: JSON.parse(out.stdout) } : {}) };
}

test('`artifacts status` of a finished run answers from the run itself with no worker running anywhere', () => {
  const env = isolatedEnv();
  const counter = path.join(tempDir(), 'attempts');
  const run = cli(['run', fixture('retry.yaml'), '--param', `counter=${counter}`], env);
  expect(run.code, run.stderr).toBe(0);
  // The run's only worker was the one inside `artifacts run`, which has exited.
  const s = status(runId(run.stdout), env);
  expect(s.code, s.stderr).toBe(0);
  expect(s.json).toMatchObject({ state: 'COMPLETED', steps: { flaky: { state: 'done', ref: 'flaky-result:v0' } } });
});

test('`artifacts status` of a running run whose worker was killed answers with the steps it last recorded', async () => {
  const env = isolatedEnv();
  const worker = await startWorker(env);
  let pid = 0;
  try {
    const id = runId(cli(['run', fixture('slow.yaml'), '--detach'], env).stdout);
    const started = path.join(env.ARTIFACTS_HOME, 'runs', id, 'slow', 'outputs', 'started');
    await waitFor(() => (fs.existsSync(started) && fs.readFileSync(started, 'utf8') ? true : undefined), 60_000, 'the slow step to start');
    pid = Number(fs.readFileSync(started, 'utf8'));
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    const s = status(id, env);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json).toMatchObject({ state: 'RUNNING', steps: { slow: { state: 'running' } } });
  } finally {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
