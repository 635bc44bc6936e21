import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { isolatedEnv, nodeScript, tempDir } from './helpers';

test('init() opens the store with its worker: the data folder, its blob shards and its registry exist before the first write', async () => {
  const env = isolatedEnv();
  const home = path.join(env.ARTIFACTS_HOME, 'new-home');
  const r = await nodeScript(`
    import fs from 'node:fs';
    import path from 'node:path';
    import { init } from 'temporal-artifacts';
    const run = await init();
    const home = ${JSON.stringify(home)};
    console.log(JSON.stringify({ shard: fs.existsSync(path.join(home, 'blobs', 'blake3', '00')), registry: fs.existsSync(path.join(home, 'registry.db')) }));
    await run.finish();
  `, { ...env, ARTIFACTS_HOME: home });
  expect(r, r.stderr).toMatchObject({ code: 0 });
  expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ shard: true, registry: true });
});

test('a data folder that cannot be created fails init() in one sentence naming it, and the process still exits by itself', async () => {
  const env = isolatedEnv();
  const inTheWay = path.join(tempDir(), 'a-file');
  fs.writeFileSync(inTheWay, 'not a folder');
  const r = await nodeScript(`
    import { init } from 'temporal-artifacts';
    try {
      await init();
      console.log('init succeeded');
    } catch (err) {
      console.log(JSON.stringify({ name: err.constructor.name, message: err.message }));
    }
  `, { ...env, ARTIFACTS_HOME: inTheWay });
  expect(r, r.stderr).toMatchObject({ code: 0 });
  const failure = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; message: string };
  expect(failure.name).toBe('ConfigError');
  expect(failure.message).toBe(`The data folder ${inTheWay} (ARTIFACTS_HOME) cannot be created: a file is in the way of it. ` +
    'Set ARTIFACTS_HOME to a folder this user may write, or remove what is in the way.');
  expect(fs.readFileSync(inTheWay, 'utf8')).toBe('not a folder');
});
