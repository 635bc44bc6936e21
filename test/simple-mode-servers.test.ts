import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api, Artifact, init, type Run } from 'temporal-artifacts';
import { freshPostgresDb, freshS3Url, removeTestPrefixes, s3Env } from './contract/services';
import { cli, isolatedEnv, tempDir, writeFiles } from './helpers';

/** The documented simple-mode flow, end to end, with the registry on PostgreSQL and the blobs on S3. */
let db: Awaited<ReturnType<typeof freshPostgresDb>>;
let env: ReturnType<typeof isolatedEnv>;
let run: Run;
beforeAll(async () => {
  db = await freshPostgresDb();
  env = isolatedEnv({ ...s3Env, ARTIFACTS_REGISTRY: db.url, ARTIFACTS_STORE: await freshS3Url() });
  Object.assign(process.env, env);
  run = await init();
});
afterAll(async () => {
  await run.finish();
  await db.drop();
  await removeTestPrefixes();
});

test('log, re-log unchanged, change, download and verify behave as with the embedded default', async () => {
  const dir = writeFiles({ 'a.txt': 'one', 'b/c.bin': Buffer.alloc(20 * 1024 * 1024, 7) });
  const log = () => run.logArtifact(new Artifact('on-servers', 'dataset').addDir(dir), { aliases: ['best'] });
  const first = await log();
  expect(first).toMatchObject({ version: 'v0', created: true, aliases: ['latest', 'best'] });
  const again = await log();
  expect(again).toMatchObject({ version: 'v0', created: false });
  expect(again.stage.bytesWritten).toBe(0);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one, corrected');
  const changed = await log();
  expect(changed).toMatchObject({ version: 'v1', created: true });
  // Only the changed file is new: the 20 MiB file is found in S3 by digest and not sent again.
  expect(changed.stage.bytesWritten).toBe('one, corrected'.length);

  const api = new Api({ env });
  const out = tempDir();
  await (await api.artifact('on-servers:v0')).download(out);
  expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('one');
  expect(fs.readFileSync(path.join(out, 'b/c.bin')).equals(Buffer.alloc(20 * 1024 * 1024, 7))).toBe(true);
  expect((await api.versions('on-servers')).map((v) => [v.version, v.aliases])).toEqual([['v0', []], ['v1', ['latest', 'best']]]);
  await api.close();
});

test('the CLI lists and verifies versions held in PostgreSQL and S3', () => {
  const ls = cli(['ls'], env);
  expect(ls.stderr).toBe('');
  expect(ls.stdout).toMatch(/on-servers/);
  const verify = cli(['verify', 'on-servers:v1'], env);
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/ok/i);
});
