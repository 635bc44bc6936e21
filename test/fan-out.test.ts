import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, FanOutFailedError, runFanOut, type FanOutOptions } from 'temporal-artifacts';
import { CLI, ROOT, isolatedEnv, startWorker, tempDir, waitFor } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

const FAKE_EVAL = path.join(ROOT, 'examples', 'collaborative', 'fake-eval.mjs');
const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('fan-out over several worker processes', () => {
  const workers = new Map<string, ChildProcess>();
  const started = tempDir('shards-started-');
  const api = new Api();

  beforeAll(async () => {
    for (const host of ['host-a', 'host-b', 'host-c']) {
      workers.set(host, await startWorker({ ...env, ARTIFACTS_HOST_ID: host, EVAL_STARTED_DIR: started, EVAL_DELAY_MS: '1500' }));
    }
  });
  afterAll(async () => {
    for (const w of workers.values()) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await api.close();
  });

  const fanOut = (options: Omit<FanOutOptions, 'type'>) => runFanOut({ type: 'predictions', ...options }, { workflowId: unique(`fan-out/${options.name}`) });

  test('30 shards on 3 workers, one killed with SIGKILL mid-run: one version, every shard once, and a shard lost with its worker does not use up its one attempt', async () => {
    const running = fanOut({
      name: 'killed-evals', shards: 30, command: { argv: [process.execPath, FAKE_EVAL] }, prefix: 'predictions', shardHeartbeatTimeoutMs: 3000, shardAttempts: 1,
    });
    // Kill host-a once it is running shards of its own.
    await waitFor(() => (fs.readdirSync(started).some((f) => f.endsWith('@host-a')) ? true : undefined), 60_000, 'host-a to run a shard');
    workers.get('host-a')!.kill('SIGKILL');
    const result = await running;

    expect(result).toMatchObject({ created: true, shards: 30, succeeded: 30, failedShards: [] });
    const versions = await api.versions('killed-evals');
    expect(versions.map((v) => v.version)).toEqual(['v0']);
    const files = await versions[0]!.files();
    const expected = Array.from({ length: 30 }, (_, i) => `predictions/shard-${String(i).padStart(5, '0')}-of-30.jsonl`);
    expect(files.map((f) => f.path)).toEqual(expected);
    expect(new Set(files.map((f) => f.digest)).size).toBe(30);
    // Shards host-a had started were run again elsewhere: the markers show both hosts for at least one shard.
    const markers = fs.readdirSync(started);
    const onA = markers.filter((f) => f.endsWith('@host-a')).map((f) => f.split('@')[0]);
    expect(onA.length).toBeGreaterThan(0);
    expect(onA.some((shard) => markers.some((f) => f.startsWith(`${shard}@`) && !f.endsWith('@host-a')))).toBe(true);
    expect((await versions[0]!.verify()).ok).toBe(true);
  });

  test('each shard is one activity of the fan-out, not a workflow of its own', async () => {
    const workflowId = unique('fan-out/activity-shards');
    const result = await runFanOut({ type: 'predictions', name: 'activity-shards', shards: 4, command: { argv: ['sh', '-c', 'echo {index} > "$ARTIFACTS_OUTPUT_DIR/out-{index}.txt"'] } }, { workflowId });
    expect(result).toMatchObject({ created: true, succeeded: 4 });
    const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
    try {
      const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
      const events = history.events ?? [];
      expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runShardTask')).toHaveLength(4);
      expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
    } finally {
      await connection.close();
    }
  });

  test('failed shards fail the version with FanOutFailedError listing them, unless a minimum success ratio allows them', async () => {
    const failing = { argv: [process.execPath, '-e', 'if (process.env.ARTIFACTS_SHARD_INDEX === "2") { console.error("bad shard"); process.exit(3) } else require("fs").writeFileSync(process.env.ARTIFACTS_OUTPUT_DIR + "/p" + process.env.ARTIFACTS_SHARD_INDEX, "x" + process.env.ARTIFACTS_SHARD_INDEX)'] };
    const refused = fanOut({ name: 'strict-evals', shards: 5, command: failing, shardAttempts: 1 });
    await expect(refused).rejects.toBeInstanceOf(FanOutFailedError);
    await expect(refused).rejects.toMatchObject({ details: { failedShards: [2], succeeded: 4, shards: 5 } });
    await expect(refused).rejects.toThrow(/failed: 1 of 5 shards failed \(shards 2\), and at least 5 had to succeed\. Shard 2: shard 2 failed after 1 attempts: Shard 2: command ".*" exited with 3: bad shard/);
    await expect(api.artifact('strict-evals')).rejects.toThrow('No artifact is named "strict-evals"');

    const lenient = await fanOut({ name: 'lenient-evals', shards: 5, command: failing, shardAttempts: 1, minSuccessRatio: 0.8 });
    expect(lenient).toMatchObject({ succeeded: 4, failedShards: [2] });
    expect(lenient.errors[0]).toMatchObject({ index: 2 });
    expect((await api.artifact('lenient-evals:v0')).fileCount).toBe(4);
  });

  test('a window smaller than the shard count and a low history threshold: the fan-out continues as new and loses nothing', async () => {
    const result = await fanOut({
      name: 'windowed', shards: 12, maxConcurrent: 3, continueAsNewAfterEvents: 40, contributeBatch: 2,
      command: { argv: ['sh', '-c', 'echo {index} > "$ARTIFACTS_OUTPUT_DIR/out-{index}.txt"'] },
    });
    expect(result.generations).toBeGreaterThan(1);
    expect(result).toMatchObject({ succeeded: 12, failedShards: [] });
    const files = await (await api.artifact('windowed:latest')).files();
    expect(files.map((f) => f.path).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `out-${i}.txt`).sort());
  });

  test('the CLI runs a fan-out on the workers and prints the committed version', async () => {
    const args = ['fan-out', '--name', 'cli-evals', '--type', 'predictions', '--shards', '4', '--distributed-id', unique('cli'), '--no-worker',
      '--', 'sh', '-c', 'echo {index} of {count} > "$ARTIFACTS_OUTPUT_DIR/p{index}.txt"'];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`artifacts fan-out exited with ${code}: ${stdout}`))));
    });
    expect(out).toBe('committed cli-evals:v0  (4 files, 28 B) from 4/4 shards\n');
  });
});
