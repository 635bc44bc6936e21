import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { abortDraft, Api, Artifact, ArtifactNotFoundError, init } from 'temporal-artifacts';
import { freshPostgresDb } from './contract/services';
import { b3, blobFile, cli, isolatedEnv, writeFiles } from './helpers';

const env = isolatedEnv({ ARTIFACTS_USER: 'carol' });
Object.assign(process.env, env);
const api = new Api();
afterAll(() => api.close());

const blobPath = (text: string): string => blobFile(path.join(env.ARTIFACTS_HOME, 'blobs'), b3(text));

test('artifacts drafts abort ends an open draft without a commit, and the next gc frees the blobs only it needed', async () => {
  // gc refuses a registry without versions (it may have been reset), so one version is kept throughout.
  const keep = `kept ${randomUUID()}`;
  expect(cli(['log', writeFiles({ 'keep.txt': keep }), '--name', 'kept', '--type', 'dataset'], env).code).toBe(0);
  const staged = `only in the aborted draft ${randomUUID()}`;
  expect(cli(['upsert', writeFiles({ 'staged.txt': staged }), '--name', 'abandoned', '--type', 'dataset', '--distributed-id', 'd1'], env).code).toBe(0);
  expect(JSON.parse(cli(['drafts', '--json'], env).stdout)).toEqual([expect.objectContaining({ name: 'abandoned', distributedId: 'd1', files: 1, state: 'open' })]);

  // Older than the grace period, but an open draft's: gc keeps it.
  await sleep(2500);
  expect(cli(['gc', '--grace', '2s'], env).code).toBe(0);
  expect(fs.existsSync(blobPath(staged))).toBe(true);

  const aborted = cli(['drafts', 'abort', 'abandoned', '--distributed-id', 'd1', '--json'], env);
  expect(aborted.stderr).toBe('');
  expect(JSON.parse(aborted.stdout)).toMatchObject({ status: 'aborted', name: 'abandoned', distributedId: 'd1', writers: 1, files: 1, abortedBy: 'carol' });
  expect(JSON.parse(cli(['drafts', '--json'], env).stdout)).toEqual([]);
  await expect(api.artifact('abandoned')).rejects.toBeInstanceOf(ArtifactNotFoundError);

  const gc = JSON.parse(cli(['gc', '--grace', '2s', '--json'], env).stdout) as { deleted: number };
  expect(gc.deleted).toBeGreaterThan(0);
  expect(fs.existsSync(blobPath(staged))).toBe(false);
  expect(fs.existsSync(blobPath(keep))).toBe(true);

  expect(cli(['drafts', 'abort', 'abandoned', '--distributed-id', 'd1'], env)).toMatchObject({
    code: 2, stderr: 'error: No open draft of "abandoned" with distributedId "d1"; `artifacts drafts` lists the open ones.\n',
  });
});

test.each(['SQLite', 'PostgreSQL'])('abortDraft() from the API ends a draft; a committed draft is no open draft to abort (%s)', async (registry) => {
  const db = registry === 'PostgreSQL' ? await freshPostgresDb() : undefined;
  // Its own data folder and queue: the registry of this case only.
  const caseEnv = isolatedEnv({ ARTIFACTS_USER: 'carol', ...(db ? { ARTIFACTS_REGISTRY: db.url } : {}) });
  Object.assign(process.env, caseEnv);
  const run = await init();
  try {
    await run.upsertArtifact(new Artifact('api-abort', 'dataset').addDir(writeFiles({ 'a.txt': 'a' })), { distributedId: 'd2' });
    expect(await abortDraft('api-abort', 'd2')).toMatchObject({ status: 'aborted', files: 1, abortedBy: 'carol' });
    const v = await run.finishArtifact(new Artifact('api-abort', 'dataset').addDir(writeFiles({ 'b.txt': 'b' })), { distributedId: 'd3' });
    expect(v.version).toBe('v0');
  } finally {
    await run.finish();
  }
  expect(cli(['drafts', 'abort', 'api-abort', '--distributed-id', 'd3'], caseEnv)).toMatchObject({ code: 2, stderr: expect.stringContaining('No open draft') });
  await db?.drop();
});
