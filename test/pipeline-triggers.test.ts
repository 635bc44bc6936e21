import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { Api } from 'temporal-artifacts';
import { workflowSource } from 'temporal-artifacts/internal';
import { cli, isolatedEnv, startWorker, tempDir, waitFor, writeFiles } from './helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pipelineFile(text: string): string {
  const file = path.join(tempDir('trigger-'), 'pipeline.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function finished(id: string, env: NodeJS.ProcessEnv): { state: string; steps: Record<string, { state: string; ref?: string }> } | undefined {
  const out = cli(['status', id, '--json'], env);
  const status = out.code === 0 ? (JSON.parse(out.stdout) as { state: string; steps: Record<string, { state: string; ref?: string }> }) : undefined;
  return status && status.state !== 'RUNNING' ? status : undefined;
}

/** Replays a workflow's history against the current workflow code (a terminated watcher's too). */
async function replays(workflowId: string): Promise<void> {
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory(workflowSource(), history, workflowId);
  } finally {
    await connection.close();
  }
}

function deployments(env: NodeJS.ProcessEnv): { name: string; triggers: string[]; lastRun?: { runId: string; at: string }; nextRun?: string }[] {
  return JSON.parse(cli(['deployments', '--json'], env).stdout) as ReturnType<typeof deployments>;
}

test('a deployed artifact trigger starts a run when a new version is logged, with trigger.ref naming it; undeploy stops it', async () => {
  const env = isolatedEnv();
  const worker = await startWorker(env);
  try {
    const data = writeFiles({ 'a.txt': 'one' });
    expect(cli(['log', data, '--name', 'trig-src', '--type', 'dataset'], env).code).toBe(0);
    const file = pipelineFile(`version: 1
name: on-new-data
on:
  artifact: { name: trig-src }
steps:
  copy:
    uses: ["\${{ trigger.ref }}"]
    run: [node, -e, "require('fs').writeFileSync(process.argv[1] + '/ref.txt', process.argv[2])", "\${{ outputs }}", "\${{ trigger.ref }}"]
    produces: { artifact: trig-out, type: report }
`);
    const deployed = cli(['deploy', file], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('deployed on-new-data: artifact trig-src new version');

    fs.writeFileSync(path.join(data, 'a.txt'), 'two');
    expect(cli(['log', data, '--name', 'trig-src', '--type', 'dataset'], env).code).toBe(0);
    const run = await waitFor(() => finished('on-new-data-trig-src-v1', env), 90_000, 'the run the new version triggers');
    expect(run).toMatchObject({ state: 'COMPLETED', steps: { copy: { state: 'done', ref: 'trig-out:v0' } } });
    const api = new Api({ env });
    try {
      const out = await api.artifact('trig-out:v0');
      const dir = tempDir();
      await out.download(dir);
      expect(fs.readFileSync(path.join(dir, 'ref.txt'), 'utf8')).toBe('trig-src:v1');
      expect((await out.lineage()).uses).toEqual(['trig-src:v1']);
    } finally {
      await api.close();
    }
    const listed = await waitFor(() => deployments(env).find((d) => d.lastRun), 30_000, 'the deployment to show its last run');
    expect(listed).toEqual({ name: 'on-new-data', triggers: ['artifact trig-src new version'], lastRun: { runId: 'on-new-data-trig-src-v1', at: expect.any(String) } });

    expect(cli(['undeploy', 'on-new-data'], env)).toMatchObject({ code: 0 });
    fs.writeFileSync(path.join(data, 'a.txt'), 'three');
    expect(cli(['log', data, '--name', 'trig-src', '--type', 'dataset'], env).code).toBe(0);
    await sleep(6000);
    expect(cli(['status', 'on-new-data-trig-src-v2'], env).code).not.toBe(0);
    expect(deployments(env)).toEqual([]);
    await replays(`artifacts/deploy/${env.ARTIFACTS_TASK_QUEUE}/on-new-data/watch`);
    await replays('artifacts/pipeline/on-new-data-trig-src-v1');
  } finally {
    worker.kill('SIGTERM');
  }
});

test('a deployed schedule fires on its interval, each firing an ordinary run; undeploy stops it', async () => {
  const ticks = path.join(tempDir(), 'ticks');
  const env = isolatedEnv({ TICKS: ticks });
  const worker = await startWorker(env);
  const count = (): number => (fs.existsSync(ticks) ? fs.readFileSync(ticks, 'utf8').split('\n').filter(Boolean).length : 0);
  try {
    const file = pipelineFile(`version: 1
name: every-few-seconds
on:
  schedule: "@every 2s"
steps:
  tick:
    cache: false
    run: [node, -e, "require('fs').appendFileSync(process.env.TICKS, 'tick\\\\n')"]
`);
    const deployed = cli(['deploy', file], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    await waitFor(() => (count() >= 2 ? true : undefined), 60_000, 'the schedule to fire twice');
    const listed = await waitFor(() => deployments(env).find((d) => d.lastRun), 30_000, 'the deployment to show its last run');
    expect(listed).toMatchObject({ name: 'every-few-seconds', triggers: ['schedule @every 2s'], nextRun: expect.any(String) });
    expect(await waitFor(() => finished(listed.lastRun!.runId, env), 60_000, 'the scheduled run')).toMatchObject({ state: 'COMPLETED', steps: { tick: { state: 'done' } } });

    expect(cli(['undeploy', 'every-few-seconds'], env)).toMatchObject({ code: 0 });
    await sleep(3000);
    const after = count();
    await sleep(6000);
    expect(count()).toBe(after);
    expect(deployments(env)).toEqual([]);
    await replays(`artifacts/pipeline/${listed.lastRun!.runId}`);
  } finally {
    worker.kill('SIGTERM');
  }
});

test('a burst of versions starts one run per version, and with concurrency: latest only one run, for the newest', { timeout: 400_000 }, async () => {
  // A burst: versions less than the settle time apart, which a loaded machine's commands need a generous one for.
  const env = isolatedEnv({ ARTIFACTS_TRIGGER_SETTLE_MS: '40000' });
  const worker = await startWorker(env);
  try {
    expect(cli(['log', writeFiles({ 'a.txt': 'v0' }), '--name', 'burst-src', '--type', 'dataset'], env).code).toBe(0);
    const step = `steps:
  note:
    cache: false
    run: [node, -e, "process.stdout.write(process.argv[1])", "\${{ trigger.ref }}"]
`;
    for (const [name, concurrency] of [['each-version', ''], ['newest-only', '  concurrency: latest\n']] as const) {
      const deployed = cli(['deploy', pipelineFile(`version: 1\nname: ${name}\non:\n  artifact: { name: burst-src }\n${concurrency}${step}`)], env);
      expect(deployed.code, deployed.stderr).toBe(0);
    }
    // Three versions logged one after another, each by its own command: a burst slower than the watcher's poll.
    const dirs = ['v1', 'v2', 'v3'].map((v) => writeFiles({ 'a.txt': v }));
    for (const dir of dirs) expect(cli(['log', dir, '--name', 'burst-src', '--type', 'dataset'], env).code).toBe(0);

    for (const v of ['v1', 'v2', 'v3']) {
      expect(await waitFor(() => finished(`each-version-burst-src-${v}`, env), 120_000, `the run of ${v}`)).toMatchObject({ state: 'COMPLETED' });
    }
    expect(await waitFor(() => finished('newest-only-burst-src-v3', env), 150_000, 'the run of the newest')).toMatchObject({ state: 'COMPLETED' });
    // The watcher starts runs in version order, so once v3's has run, v1's and v2's would exist if they ever will.
    expect(cli(['status', 'newest-only-burst-src-v1'], env).code).not.toBe(0);
    expect(cli(['status', 'newest-only-burst-src-v2'], env).code).not.toBe(0);
    const newest = await waitFor(() => deployments(env).find((d) => d.name === 'newest-only' && d.lastRun), 30_000, 'the deployment to show its last run');
    expect(newest.lastRun).toMatchObject({ runId: 'newest-only-burst-src-v3' });

    for (const name of ['each-version', 'newest-only']) expect(cli(['undeploy', name], env)).toMatchObject({ code: 0 });
    await replays(`artifacts/deploy/${env.ARTIFACTS_TASK_QUEUE}/newest-only/watch`);
    await replays(`artifacts/deploy/${env.ARTIFACTS_TASK_QUEUE}/each-version/watch`);
  } finally {
    worker.kill('SIGTERM');
  }
});
