import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { workflowSource } from 'temporal-artifacts/internal';
import { loop, run, states, versions } from './pipeline-loop';

test('an unchanged re-run executes no command and creates no version: every step is cached, in the live view and in status', async () => {
  const { file, env, ran } = loop();
  const first = run(file, env);
  expect(first.code, first.stderr).toBe(0);
  expect(ran()).toEqual(['prepare', 'train', 'evaluate']);
  expect(first.stdout).toContain('done: 3 versions created, 0 unchanged, 0 steps cached, 3 run');
  const before = await versions(env);

  const second = run(file, env);
  expect(second.code, second.stderr).toBe(0);
  expect(ran()).toEqual([]);
  expect(await versions(env)).toEqual(before);
  expect(states(second.status)).toEqual({ prepare: 'cached', train: 'cached', evaluate: 'cached' });
  expect(second.status.steps['train']).toEqual({ state: 'cached', version: 'v0', ref: 'loop-model:v0', cachedFrom: first.id });
  expect(second.stderr).toMatch(/train: cached loop-model:v0 \(from run cache-loop-\S+\)/);
  expect(second.stdout).toContain('done: 0 versions created, 0 unchanged, 3 steps cached');

  // --no-cache runs every command again; the content is the same, so no version is created either.
  const forced = run(file, env, '--no-cache');
  expect(ran()).toEqual(['prepare', 'train', 'evaluate']);
  expect(states(forced.status)).toEqual({ prepare: 'done', train: 'done', evaluate: 'done' });
  expect(forced.stdout).toContain('done: 0 versions created, 3 unchanged, 0 steps cached, 3 run');
});

test('changing a param re-runs exactly the steps that read it and the steps after them', async () => {
  const { file, env, ran } = loop();
  expect(run(file, env).code).toBe(0);
  ran();
  const changed = run(file, env, '--param', 'lr=0.5');
  expect(changed.code, changed.stderr).toBe(0);
  expect(ran()).toEqual(['train', 'evaluate']);
  expect(states(changed.status)).toEqual({ prepare: 'cached', train: 'done', evaluate: 'done' });
  expect(changed.status.steps['train']).toMatchObject({ ref: 'loop-model:v1', outcome: 'created' });
  // Back to the first value: each step's first result is still recorded.
  const back = run(file, env, '--param', 'lr=0.1');
  expect(ran()).toEqual([]);
  expect(back.status.steps['train']).toMatchObject({ state: 'cached', ref: 'loop-model:v0' });
});

test('editing a deps file re-runs that step; a step whose version comes out the same leaves the steps after it cached', async () => {
  const { file, dir, env, ran } = loop();
  expect(run(file, env).code).toBe(0);
  ran();
  fs.appendFileSync(path.join(dir, 'prepare.cfg'), '# a comment the command does not read\n');
  const edited = run(file, env);
  expect(edited.code, edited.stderr).toBe(0);
  expect(ran()).toEqual(['prepare']);
  expect(states(edited.status)).toEqual({ prepare: 'done', train: 'cached', evaluate: 'cached' });
  expect(edited.status.steps['prepare']).toMatchObject({ ref: 'loop-data:v0', outcome: 'unchanged' });

  // A change to the script every step lists (evaluate by a glob) re-runs all three.
  fs.appendFileSync(path.join(dir, 'step.mjs'), '// edited\n');
  expect(run(file, env).code).toBe(0);
  expect(ran()).toEqual(['prepare', 'train', 'evaluate']);
});

test('after a failure, the re-run skips the steps that succeeded and runs the failed one, and its summary says so', async () => {
  const { file, env, ran } = loop();
  const counter = env.STEP_COUNTER!;
  fs.writeFileSync(`${counter}.fail-evaluate`, '');
  const failed = run(file, env);
  expect(failed.code).not.toBe(0);
  expect(ran()).toEqual(['prepare', 'train', 'evaluate']);
  expect(states(failed.status)).toEqual({ prepare: 'done', train: 'done', evaluate: 'failed' });

  fs.rmSync(`${counter}.fail-evaluate`);
  const resumed = run(file, env);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(ran()).toEqual(['evaluate']);
  expect(states(resumed.status)).toEqual({ prepare: 'cached', train: 'cached', evaluate: 'done' });
  expect(resumed.stdout).toContain(`1 version created, 0 unchanged, 2 steps cached (results of run ${failed.id}), 1 run`);
});

test('a step with cache: false always runs; a deps glob that matches nothing fails its step naming the glob', async () => {
  const { file, env, ran } = loop();
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    deps: ["*.mjs"]\n', '    cache: false\n'));
  expect(run(file, env).code).toBe(0);
  ran();
  const again = run(file, env);
  expect(ran()).toEqual(['evaluate']);
  expect(states(again.status)).toEqual({ prepare: 'cached', train: 'cached', evaluate: 'done' });

  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('deps: [step.mjs, prepare.cfg]', 'deps: [step.mjs, "conf/*.yaml"]'));
  const bad = run(file, env);
  expect(bad.code).not.toBe(0);
  expect(bad.status.steps['prepare']).toMatchObject({ state: 'failed', error: expect.stringContaining('deps of step "prepare": "conf/*.yaml" matches no file under') });
});

test('the histories of a run and of its cached re-run replay against the current workflow code', async () => {
  const { file, env } = loop();
  const runs = [run(file, env), run(file, env)];
  expect(states(runs[1]!.status)).toEqual({ prepare: 'cached', train: 'cached', evaluate: 'cached' });
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    for (const r of runs) {
      const workflowId = `artifacts/pipeline/${r.id}`;
      const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
      await expect(Worker.runReplayHistory(workflowSource(), history, workflowId)).resolves.toBeUndefined();
    }
  } finally {
    await connection.close();
  }
});
