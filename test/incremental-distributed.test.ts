import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, runGc, type Run } from 'temporal-artifacts';
import { freshPostgresDb, freshS3Url } from './contract/services';
import { isolatedEnv, writeFiles } from './helpers';

Object.assign(process.env, isolatedEnv());

describe('incremental mode on PostgreSQL and S3', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDb>>;
  let run: Run;
  let api: Api;
  beforeAll(async () => {
    db = await freshPostgresDb();
    Object.assign(process.env, { ARTIFACTS_REGISTRY: db.url, ARTIFACTS_STORE: await freshS3Url() });
    run = await init();
    api = new Api();
  });
  afterAll(async () => {
    await run.finish();
    await api.close();
    await db.drop();
  });

  test('a draft over an S3 store and a PostgreSQL registry adds, replaces and removes, records its base, and diffs', async () => {
    const dir = writeFiles({ 'keep.txt': 'keep', 'dup.txt': 'dup', 'label.json': '{"cat":1}' });
    await run.logArtifact(new Artifact('remote-set', 'dataset').addDir(dir));
    const base = await api.artifact('remote-set:latest');
    const fixes = writeFiles({ 'label.json': '{"dog":1}', 'new.txt': 'new' });
    const v = await base.newDraft().addDir(fixes).remove('dup.txt').save();
    expect(v).toMatchObject({ version: 'v1', basedOn: 'v0', baseWasLatest: true, changes: { added: 1, removed: 1, modified: 1 } });
    expect((await v.files()).map((f) => f.path)).toEqual(['keep.txt', 'label.json', 'new.txt']);
    expect((await v.verify()).ok).toBe(true);
    const diff = await v.diff(base);
    expect(diff.entries.map((d) => `${d.kind} ${d.path}`)).toEqual(['removed dup.txt', 'modified label.json', 'added new.txt']);
    const lineage = await base.lineage();
    expect(lineage.derived).toEqual(['remote-set:v1']);
    expect((await api.artifact('remote-set:v1')).base).toBe('v0');
  });

  test('on S3 a missing removal is refused when the draft is saved (no synchronous reads there), and gc sweeps it leaving every version whole', async () => {
    const draft = (await api.artifact('remote-set:latest')).newDraft().remove('never-there.txt');
    await expect(draft.save()).rejects.toThrow('remove("never-there.txt"): remote-set:v1 has no entry or folder by that name, and the draft did not add one');
    const extra = writeFiles({ 'x.txt': 'x' });
    expect((await (await api.artifact('remote-set:latest')).newDraft().addFile(path.join(extra, 'x.txt')).save()).version).toBe('v2');
    expect(await runGc({ graceMs: 0 })).toMatchObject({ deferred: false });
    for (const v of await api.versions('remote-set')) expect((await v.verify()).ok, v.ref).toBe(true);
  });
});
