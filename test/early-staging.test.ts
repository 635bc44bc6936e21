import type { ChildProcess } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { Artifact, init } from 'temporal-artifacts';
import { isolatedEnv, startWorker, writeFiles, b3 } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);
const sha256 = b3;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function folder(label: string): { dir: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (let i = 0; i < 100; i++) files[`part-${i % 4}/f${i}.txt`] = `${label} file ${i} ${Math.random()}`;
  return { dir: writeFiles(files), files };
}

test('a process that runs its own worker starts staging when logArtifact is called, and the activity adopts that work', async () => {
  const run = await init();
  try {
    const { dir, files } = folder('early');
    const v = await run.logArtifact(new Artifact('early-staged', 'dataset').addDir(dir));
    expect(v.stage.startedEarly).toBe(true);
    expect(v.stage.files).toBe(100);
    const entries = new Map((await v.files()).map((e) => [e.path, e.digest]));
    for (const [name, content] of Object.entries(files)) expect(entries.get(name)).toBe(sha256(content));
    expect(await v.verify()).toMatchObject({ ok: true, checked: 100 });
  } finally {
    await run.finish();
  }
});

test('a client without a worker leaves the staging to the worker process that takes the activity', async () => {
  children.push(await startWorker(env));
  const run = await init({ worker: false });
  try {
    const { dir } = folder('late');
    const v = await run.logArtifact(new Artifact('worker-staged', 'dataset').addDir(dir));
    expect(v.stage.startedEarly).toBeUndefined();
    expect(v.stage.files).toBe(100);
    expect(await v.verify()).toMatchObject({ ok: true, checked: 100 });
  } finally {
    await run.finish();
  }
});
