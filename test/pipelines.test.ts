import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { cli, isolatedEnv, ROOT, startWorker, tempDir, waitFor } from './helpers';

const flagship = path.join(ROOT, 'examples', 'pipelines', 'flagship.yaml');
const fixture = (name: string): string => path.join(ROOT, 'test', 'pipelines', name);

function runId(stdout: string): string {
  const match = /(?:started|attached to) run (\S+)/.exec(stdout);
  if (!match) throw new Error(`no run id in: ${stdout}`);
  return match[1]!;
}

function status(id: string, env: NodeJS.ProcessEnv): { state: string; steps: Record<string, { state: string; ref?: string; error?: string; attempt?: number; exitCode?: number | null }> } | undefined {
  const out = cli(['status', id, '--json'], env);
  return out.code === 0 ? JSON.parse(out.stdout) : undefined;
}

test('the flagship pipeline produces all three modes from YAML: simple, collaborative fan-out, incremental', async () => {
  const env = isolatedEnv();
  const out = cli(['run', flagship, '--param', 'shards=3'], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  expect(out.stdout).toContain('done: 4 versions created, 0 unchanged, 0 steps cached, 4 run');
  const api = new Api({ env });
  const predictions = await api.artifact('predictions:latest');
  expect((await predictions.files()).map((f) => f.path)).toEqual(['predictions-0000.jsonl', 'predictions-0001.jsonl', 'predictions-0002.jsonl']);
  const curated = await api.artifact('dataset:v1');
  expect(curated.base).toBe('v0');
  const paths = (await curated.files()).map((f) => f.path);
  expect(paths).toContain('images/img-100.txt');
  expect(paths).not.toContain('images/dup-001.txt');
  expect((await (await api.artifact('dataset:v0')).files()).map((f) => f.path)).toContain('images/dup-001.txt');
  const model = await api.artifact('model:candidate');
  expect(model.metadata).toMatchObject({ framework: 'none', 'temporal-artifacts': { pipeline: 'evaluate-model', step: 'train' } });
  expect(JSON.parse(fs.readFileSync(path.join(await downloaded(model), 'model.json'), 'utf8'))).toMatchObject({ epochs: 3, trainedOn: 8 });
  await api.close();
  // Unchanged, it runs again as nothing at all: each step reads the version the step before it made.
  const again = cli(['run', flagship, '--param', 'shards=3'], env);
  expect(again.stdout).toContain('done: 0 versions created, 0 unchanged, 4 steps cached');
});

async function downloaded(version: { download(dir: string): Promise<unknown> }): Promise<string> {
  const dir = tempDir();
  await version.download(dir);
  return dir;
}

test('a failing step is retried by its policy and succeeds on attempt 2, which its status shows', async () => {
  const env = isolatedEnv();
  const counter = path.join(tempDir(), 'attempts');
  const out = cli(['run', fixture('retry.yaml'), '--param', `counter=${counter}`], env);
  expect(out.code).toBe(0);
  expect(fs.readFileSync(counter, 'utf8')).toBe('2');
  expect(out.stderr).toContain('flaky: done flaky-result:v0 (attempt 2)');
  // The status of a finished run is a query, answered by a worker replaying its history.
  const worker = await startWorker(env);
  try {
    expect(status(runId(out.stdout), env)?.steps['flaky']).toEqual({ state: 'done', version: 'v0', ref: 'flaky-result:v0', attempt: 2, exitCode: 0, outcome: 'created' });
  } finally {
    worker.kill('SIGTERM');
  }
  const api = new Api({ env });
  const v = await api.artifact('flaky-result:latest');
  expect(fs.readFileSync(path.join(await downloaded(v), 'result.txt'), 'utf8')).toBe('attempt 2');
  await api.close();
});

test('a step whose command fails on every attempt shows its real exit code and last attempt, and the steps after it are skipped', async () => {
  const env = isolatedEnv();
  const out = cli(['run', fixture('fails.yaml')], env);
  expect(out.code).not.toBe(0);
  const worker = await startWorker(env);
  try {
    const final = status(runId(out.stdout), env);
    expect(final?.state).toBe('FAILED');
    expect(final?.steps['broken']).toMatchObject({ state: 'failed', attempt: 2, exitCode: 7, error: expect.stringContaining('exited with 7') });
    expect(final?.steps['after']).toMatchObject({ state: 'skipped' });
  } finally {
    worker.kill('SIGTERM');
  }
});

test('expression values reach commands as literal arguments, in argv lists and shell strings; a false `when` skips a step', async () => {
  const env = isolatedEnv();
  const cwd = path.join(ROOT, 'test', 'pipelines');
  const before = fs.readdirSync(cwd);
  const out = cli(['run', fixture('when-and-literals.yaml')], env);
  expect(out.code).toBe(0);
  const evil = 'x; touch PWNED-argv $(touch PWNED-subshell) `touch PWNED-backtick`';
  const api = new Api({ env });
  for (const name of ['literal-argv', 'literal-shell']) {
    const args = JSON.parse(fs.readFileSync(path.join(await downloaded(await api.artifact(name)), 'args.json'), 'utf8')) as string[];
    expect(args[0]).toBe(evil);
  }
  expect(fs.readdirSync(cwd)).toEqual(before);
  await expect(api.artifact('optional-result')).rejects.toThrow('No artifact is named "optional-result"');
  const after = await api.artifact('after-optional');
  expect(fs.readFileSync(path.join(await downloaded(after), 'skipped.txt'), 'utf8')).toBe('true');
  expect(out.stderr).toContain('optional: skipped');
  await api.close();
});

test('a fan-out over items gives each shard its own item, as one literal argument', async () => {
  const env = isolatedEnv();
  expect(cli(['run', fixture('items.yaml')], env).code).toBe(0);
  const api = new Api({ env });
  const dir = await downloaded(await api.artifact('labels:v0'));
  expect(fs.readdirSync(dir).sort()).toEqual(['shard-0.txt', 'shard-1.txt', 'shard-2.txt']);
  expect(['shard-0.txt', 'shard-1.txt', 'shard-2.txt'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))).toEqual(['cat', 'dog', 'a b; touch PWNED']);
  await api.close();
});

test('running again with the same run id re-attaches instead of running twice', async () => {
  const env = isolatedEnv();
  const counter = path.join(tempDir(), 'attempts');
  const first = cli(['run', fixture('retry.yaml'), '--param', `counter=${counter}`, '--run-id', 'same-run'], env);
  const second = cli(['run', fixture('retry.yaml'), '--param', `counter=${counter}`, '--run-id', 'same-run'], env);
  expect(first.stdout).toContain('started run same-run');
  expect(second.stdout).toContain('attached to run same-run');
  expect(second.stdout).toContain('flaky: flaky-result:v0');
  expect(fs.readFileSync(counter, 'utf8')).toBe('2');
  const api = new Api({ env });
  expect((await api.versions('flaky-result')).map((v) => v.version)).toEqual(['v0']);
  await api.close();
});

test('cancelling a run stops its running step and leaves no version behind', async () => {
  const env = isolatedEnv();
  const worker = await startWorker(env);
  try {
    const id = runId(cli(['run', fixture('slow.yaml'), '--detach'], env).stdout);
    const started = path.join(env.ARTIFACTS_HOME, 'runs', id, 'slow', 'outputs', 'started');
    await waitFor(() => (fs.existsSync(started) && fs.readFileSync(started, 'utf8') ? true : undefined), 60_000, 'the slow step to start');
    const pid = Number(fs.readFileSync(started, 'utf8'));
    expect(cli(['cancel', id], env)).toMatchObject({ code: 0, stdout: `cancellation requested for run ${id}\n` });
    const final = await waitFor(() => (status(id, env)?.state === 'CANCELLED' ? status(id, env) : undefined), 60_000, 'the run to be cancelled');
    expect(final.steps['slow']!.state).toBe('cancelled');
    await waitFor(() => (isAlive(pid) ? undefined : true), 15_000, 'the step process to stop');
    const api = new Api({ env });
    await expect(api.artifact('never-committed')).rejects.toThrow('No artifact is named "never-committed"');
    await api.close();
  } finally {
    worker.kill('SIGTERM');
  }
});

test('kill -9 of the worker during the fan-out: a new worker finishes the run and every artifact is committed exactly once', async () => {
  const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '3000' });
  let worker = await startWorker(env);
  try {
    const id = runId(cli(['run', flagship, '--param', 'shards=6', '--param', 'delay_ms=4000', '--detach'], env).stdout);
    await waitFor(() => (status(id, env)?.steps['evaluate']?.state === 'running' ? true : undefined), 90_000, 'the fan-out to start');
    await new Promise((r) => setTimeout(r, 1500));
    worker.kill('SIGKILL');
    worker = await startWorker(env);
    const final = await waitFor(() => {
      const s = status(id, env);
      return s && s.state !== 'RUNNING' ? s : undefined;
    }, 120_000, 'the run to finish');
    expect(final.state).toBe('COMPLETED');
    const api = new Api({ env });
    expect((await api.versions('dataset')).map((v) => v.version)).toEqual(['v0', 'v1']);
    expect((await api.versions('model')).map((v) => v.version)).toEqual(['v0']);
    expect((await api.versions('predictions')).map((v) => v.version)).toEqual(['v0']);
    const files = (await (await api.artifact('predictions:v0')).files()).map((f) => f.path);
    expect(files).toEqual(Array.from({ length: 6 }, (_, i) => `predictions-${String(i).padStart(4, '0')}.jsonl`));
    await api.close();
  } finally {
    worker.kill('SIGTERM');
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
