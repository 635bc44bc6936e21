import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { cli, fileClient, isolatedEnv, spawnLive, startWorker, tempDir, waitFor, writeUniqueFile } from './helpers';

// A heartbeat timeout far shorter than the copies below take at the capped rate, and far shorter than the local
// store's first checkpoint (32 MiB): only heartbeats sent between checkpoints keep these attempts alive.
const RATE = 2 << 20;
const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '2000', ARTIFACTS_MAX_BYTES_PER_SECOND: String(RATE) });
const children: ChildProcess[] = [];
const client = fileClient(children);

/** Everything a worker printed, from now on. */
function capture(worker: ChildProcess): { text: () => string } {
  let text = '';
  worker.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { text: () => text };
}

test('a capped copy that takes three heartbeat timeouts finishes on its first attempt: the worker heartbeats between checkpoints', async () => {
  const worker = await startWorker(env);
  children.push(worker);
  const said = capture(worker);
  const file = path.join(tempDir(), 'weights.bin');
  writeUniqueFile(file, 3 * RATE * 2); // ~6 s at the cap: three 2 s heartbeat timeouts
  Object.assign(process.env, env);
  const run = await init({ worker: false });
  try {
    const v = await run.logArtifact(new Artifact('slow-weights', 'model').addFile(file));
    expect(v.version).toBe('v0');
    const history = await client().workflow.getHandle(`artifacts/log/slow-weights/${run.id}/0`).fetchHistory();
    const events = history.events ?? [];
    const attempts = events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : []));
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a) => a === 1), `attempts: ${attempts.join(',')}`).toBe(true);
    expect(events.some((e) => e.activityTaskTimedOutEventAttributes)).toBe(false);
    expect(said.text()).not.toMatch(/WARN|ERROR/);
  } finally {
    await run.finish();
  }
});

test('a client killed with SIGKILL mid-log: a worker on its host finishes the version exactly once, and neither says anything while it does', async () => {
  // The takeover waits out one heartbeat timeout; 10 s here, so a loaded machine's late heartbeats do not also time
  // out the worker's own attempts (the test above covers heartbeats between checkpoints).
  const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '10000', ARTIFACTS_MAX_BYTES_PER_SECOND: String(RATE) });
  const worker = await startWorker(env);
  children.push(worker);
  const said = capture(worker);
  const file = path.join(tempDir(), 'corpus.bin');
  writeUniqueFile(file, 12 << 20);
  const doomed = spawnLive(['log', file, '--name', 'orphaned-corpus', '--type', 'dataset'], env);
  children.push(doomed.child);
  // Stored as 4 MiB chunks, one every two seconds at the cap: the first one in the store means it is copying.
  const chunks = path.join(env.ARTIFACTS_HOME, 'blobs', 'blake3');
  const copying = (): boolean => fs.existsSync(chunks) && fs.readdirSync(chunks).some((s) => fs.readdirSync(path.join(chunks, s)).some((f) => fs.statSync(path.join(chunks, s, f)).size === 4 << 20));
  await waitFor(() => (copying() ? true : undefined), 60_000, 'the client to be copying');
  doomed.child.kill('SIGKILL');
  await doomed.exited;

  const shown = await waitFor(() => {
    const r = cli(['show', 'orphaned-corpus:latest'], env);
    return r.code === 0 ? r.stdout : undefined;
  }, 120_000, 'the worker to finish the orphaned log').catch((e: Error) => {
    throw new Error(`${e.message}; the worker said: ${said.text() || '(nothing)'}`);
  });
  expect(shown).toMatch(/orphaned-corpus:v0/);
  expect(cli(['show', 'orphaned-corpus:v1'], env).code).not.toBe(0);
  expect(cli(['verify', 'orphaned-corpus:v0'], env).code).toBe(0);
  expect(said.text()).toBe('');
  // Its own waits (60 s for the copy to show, 120 s for the worker to finish) bound it, not the default 120 s.
}, 240_000);

test('a heartbeat timeout shorter than the workers\' heartbeat interval is refused with the setting to change, before any work starts', () => {
  const file = path.join(tempDir(), 'tiny.txt');
  fs.writeFileSync(file, 'tiny');
  const r = cli(['log', file, '--name', 'never-made', '--type', 'dataset'], { ...env, ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '500' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/ARTIFACTS_HEARTBEAT_TIMEOUT_MS=500 is below 2000: .*set it to 2000 or more/);
  expect(cli(['show', 'never-made:latest'], env).code).not.toBe(0);
});
