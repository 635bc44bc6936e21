import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { Api, Artifact, init, UsageError, type Run } from 'temporal-artifacts';
import { sharedSession, Store } from 'temporal-artifacts/internal';
import { freshPostgresDb } from './contract/services';
import { cli, isolatedEnv, ROOT, spawnLive, tempDir, writeFiles, writeUniqueFile, type CliResult } from './helpers';

const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '3000' });
Object.assign(process.env, env);
const api = new Api();
afterAll(() => api.close());

/** Runs an ESM script as its own process; a script still running after `limitMs` is killed and reported as hung. */
async function script(source: string, limitMs = 90_000, extraEnv: Record<string, string> = {}): Promise<CliResult & { hung: boolean }> {
  const file = path.join(tempDir('artifacts-script-'), 'script.mjs');
  fs.writeFileSync(file, source.replaceAll("'temporal-artifacts'", JSON.stringify(path.join(ROOT, 'dist', 'index.js'))));
  const live = spawnLive([], { ...env, ...extraEnv }, file);
  const timer = setTimeout(() => live.child.kill('SIGKILL'), limitMs);
  const result = await live.exited;
  clearTimeout(timer);
  return { ...result, hung: live.child.signalCode === 'SIGKILL' };
}

test.each(['SQLite', 'PostgreSQL'])('a script that never calls finish() exits by itself once its version is committed (%s)', async (registry) => {
  const db = registry === 'PostgreSQL' ? await freshPostgresDb() : undefined;
  const name = `no-finish-${registry.toLowerCase()}`;
  const dir = writeFiles({ 'a.txt': 'no finish' });
  const r = await script(`
    import { init, Artifact } from 'temporal-artifacts';
    const run = await init();
    const v = await run.logArtifact(new Artifact(${JSON.stringify(name)}, 'dataset').addDir(${JSON.stringify(dir)}));
    console.log(v.ref);`, 90_000, db ? { ARTIFACTS_REGISTRY: db.url, ARTIFACTS_TASK_QUEUE: `${env.ARTIFACTS_TASK_QUEUE}-pg` } : {});
  expect(r).toMatchObject({ hung: false, code: 0, stdout: `${name}:v0\n` });
  if (db) {
    const store = await Store.fromConfig({ home: env.ARTIFACTS_HOME, registryUrl: db.url });
    expect((await store.registry.resolve(name)).version).toBe('v0');
    await store.close();
    await db.drop();
  } else {
    expect((await api.artifact(name)).version).toBe('v0');
  }
});

test('a script that throws after a log exits with the error, and the version it logged stays committed', async () => {
  const dir = writeFiles({ 'a.txt': 'then a crash' });
  const r = await script(`
    import { init, Artifact } from 'temporal-artifacts';
    const run = await init();
    await run.logArtifact(new Artifact('then-crash', 'dataset').addDir(${JSON.stringify(dir)}));
    throw new Error('training diverged');`);
  expect(r.hung).toBe(false);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('training diverged');
  expect((await api.artifact('then-crash')).version).toBe('v0');
});

test('SIGINT to a script waiting after its log stops it at once, with its version committed', async () => {
  const file = path.join(tempDir('artifacts-script-'), 'script.mjs');
  fs.writeFileSync(file, `
    import { init, Artifact } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};
    const run = await init();
    const v = await run.logArtifact(new Artifact('interrupted-idle', 'dataset').addDir(${JSON.stringify(writeFiles({ 'a.txt': 'then SIGINT' }))}));
    console.log(v.ref);
    await new Promise((resolve) => setTimeout(resolve, 600_000));`);
  const live = spawnLive([], env, file);
  const killer = setTimeout(() => live.child.kill('SIGKILL'), 90_000);
  while (!live.output.stdout.includes('\n') && live.child.exitCode === null) await sleep(100);
  live.child.kill('SIGINT');
  const r = await live.exited;
  clearTimeout(killer);
  expect(live.child.signalCode).not.toBe('SIGKILL');
  expect(r.code).toBe(130);
  expect(r.stdout).toBe('interrupted-idle:v0\n');
  expect((await api.artifact('interrupted-idle')).version).toBe('v0');
});

test('`await using` finishes the run when its block is left', async () => {
  let kept: Run | undefined;
  {
    await using run = await init();
    kept = run;
    await run.logArtifact(new Artifact('disposed', 'dataset').addDir(writeFiles({ 'a.txt': 'using' })));
  }
  await expect(kept.logArtifact(new Artifact('disposed', 'dataset').addDir(writeFiles({ 'b.txt': 'after' })))).rejects.toBeInstanceOf(UsageError);
  expect((await api.versions('disposed')).length).toBe(1);
});

test('saves outside a run in a row share one session instead of opening one each', async () => {
  const shared = sharedSession();
  const before = shared.opens;
  for (const text of ['one', 'two', 'three']) await new Artifact('saved-alone', 'dataset').addDir(writeFiles({ 'a.txt': text })).save();
  const draft = (await api.artifact('saved-alone')).newDraft().addDir(writeFiles({ 'b.txt': 'draft' }));
  expect(await draft.save()).toMatchObject({ version: 'v3' });
  expect(shared.opens - before).toBe(1);
});

test('`artifacts log --run-id ID` after the logging process was killed attaches to its write and commits it once', async () => {
  const file = path.join(tempDir(), 'big.bin');
  writeUniqueFile(file, 24 * 1024 * 1024);
  // Slow uploads, so the kill lands while the first process is still staging.
  const slow = { ...env, ARTIFACTS_MAX_BYTES_PER_SECOND: String(2 * 1024 * 1024) };
  const args = ['log', file, '--name', 'reattached', '--type', 'model', '--run-id', 'crashed-log'];
  const first = spawnLive(args, slow);
  await waitForStaging(first);
  first.child.kill('SIGKILL');
  await first.exited;
  const second = cli([...args, '--json'], env);
  expect(second.stderr).not.toContain('error');
  expect(second.code).toBe(0);
  expect(JSON.parse(second.stdout)).toMatchObject({ version: 'v0' });
  expect((await api.versions('reattached')).map((v) => v.version)).toEqual(['v0']);
  expect(cli(args, env)).toMatchObject({ code: 0, stdout: expect.stringContaining('reattached:v0') });
});

/** Waits until the first process's log workflow exists and its staging has begun. */
async function waitForStaging(live: ReturnType<typeof spawnLive>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    // Without a TTY the progress bar prints its first line as soon as the staging reports progress.
    if (live.output.stderr.includes('hashing+uploading')) {
      await sleep(1500);
      return;
    }
    await sleep(100);
  }
  throw new Error(`the first log never started staging: ${live.output.stderr}`);
}
