import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { CLI, ROOT, cli, isolatedEnv, startWorker, waitFor } from './helpers';

const tree = path.join(ROOT, 'test', 'pipelines', 'tree.yaml');
const leftovers: number[] = [];

afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
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

/** Waits for the step's grandchild to record its pid, and remembers it so a failing test leaves nothing running. */
async function grandchildOf(env: { ARTIFACTS_HOME: string }, runId: string): Promise<number> {
  const file = path.join(env.ARTIFACTS_HOME, 'runs', runId, 'tree', 'outputs', 'grandchild.pid');
  const pid = await waitFor(() => (fs.existsSync(file) && fs.readFileSync(file, 'utf8') ? Number(fs.readFileSync(file, 'utf8')) : undefined), 60_000, 'the grandchild to start');
  leftovers.push(pid);
  return pid;
}

const gone = (pid: number, what: string): Promise<true> => waitFor(() => (isAlive(pid) ? undefined : true), 20_000, what);

test('artifacts cancel ends the step command and the processes it started', async () => {
  const env = isolatedEnv();
  const worker = await startWorker(env);
  try {
    expect(cli(['run', tree, '--detach', '--run-id', 'cancelled'], env).code).toBe(0);
    const pid = await grandchildOf(env, 'cancelled');
    expect(cli(['cancel', 'cancelled'], env).code).toBe(0);
    await gone(pid, 'the grandchild to be ended by the cancel');
  } finally {
    worker.kill('SIGTERM');
  }
});

test('a worker shut down with SIGTERM ends the trees of the commands it was running', async () => {
  const env = isolatedEnv();
  const worker = await startWorker(env);
  expect(cli(['run', tree, '--detach', '--run-id', 'shutdown'], env).code).toBe(0);
  const pid = await grandchildOf(env, 'shutdown');
  worker.kill('SIGTERM');
  await gone(pid, 'the grandchild to be ended by the worker shutdown');
});

test('a client killed with SIGKILL while its in-process worker runs a step leaves no command running', async () => {
  const env = isolatedEnv();
  const client = spawn(process.execPath, [CLI, 'run', tree, '--run-id', 'killed'], { env, stdio: 'ignore' });
  const pid = await grandchildOf(env, 'killed');
  client.kill('SIGKILL');
  await gone(pid, 'the grandchild to be ended after its worker died');
});

test('a worker that lost its heartbeat (stopped past the heartbeat timeout) ends the command when it hears the attempt timed out', async () => {
  const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '2000' });
  const worker = await startWorker(env);
  try {
    expect(cli(['run', tree, '--detach', '--run-id', 'lost'], env).code).toBe(0);
    const pid = await grandchildOf(env, 'lost');
    worker.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 5000));
    worker.kill('SIGCONT');
    await gone(pid, 'the grandchild to be ended once the worker learns its attempt timed out');
  } finally {
    worker.kill('SIGCONT');
    worker.kill('SIGTERM');
  }
});
