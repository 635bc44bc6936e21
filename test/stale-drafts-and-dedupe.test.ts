import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, StaleDraftError, type Run } from 'temporal-artifacts';
import { ManifestWriter, Store } from 'temporal-artifacts/internal';
import { freshPostgresDb } from './contract/services';
import { isolatedEnv, tempDir, writeFiles } from './helpers';

const backends = [
  { label: 'SQLite', create: async () => {
    const dir = tempDir('artifacts-registry-');
    return { url: `sqlite://${path.join(dir, 'registry.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  } },
  { label: 'PostgreSQL', create: freshPostgresDb },
];

describe.each(backends)('history-wide dedupe and stale drafts on $label', (backend) => {
  let db: { url: string; drop: () => Promise<void> };
  let run: Run;
  let api: Api;
  beforeAll(async () => {
    db = await backend.create();
    // A queue of this block's own: the shared session that draft.save() opened for the previous block may still
    // be polling its queue (it closes once idle), and its worker writes to that block's registry.
    Object.assign(process.env, isolatedEnv({ ARTIFACTS_REGISTRY: db.url }));
    run = await init();
    api = new Api();
  });
  afterAll(async () => {
    await run.finish();
    await api.close();
    await db.drop();
  });

  test('logging content identical to an older version returns that version, moves latest and the aliases to it, and its lineage names the new producer', async () => {
    const v0 = await run.logArtifact(new Artifact('rerun', 'dataset').addDir(writeFiles({ 'x.txt': 'first' })));
    await run.logArtifact(new Artifact('rerun', 'dataset').addDir(writeFiles({ 'x.txt': 'second' })));
    const again = await run.logArtifact(new Artifact('rerun', 'dataset').addDir(writeFiles({ 'x.txt': 'first' })), { aliases: ['rerun-of-v0'] });
    expect(again).toMatchObject({ version: 'v0', created: false, digest: v0.digest, aliases: ['latest', 'rerun-of-v0'] });
    expect((await api.versions('rerun')).map((v) => v.version)).toEqual(['v0', 'v1']);
    expect((await api.artifact('rerun')).version).toBe('v0');
    const lineage = await (await api.artifact('rerun:v0')).lineage();
    expect(lineage.producer?.workflowId).toBe(v0.producer?.workflowId);
    expect(lineage.reproducedBy).toHaveLength(1);
    expect(lineage.reproducedBy[0]?.workflowId).not.toBe(v0.producer?.workflowId);
    expect(lineage.reproducedBy[0]?.run).toBe(run.id);
    // The next new content still gets the next number.
    expect((await run.logArtifact(new Artifact('rerun', 'dataset').addDir(writeFiles({ 'x.txt': 'third' })))).version).toBe('v2');
  });

  test('a stale draft whose paths were not changed since its base is applied on top of latest', async () => {
    await run.logArtifact(new Artifact('stale', 'dataset').addDir(writeFiles({ 'a.txt': 'a0', 'b.txt': 'b0' })));
    const base = await api.artifact('stale:v0');
    const first = await base.newDraft().addFile(path.join(writeFiles({ 'a.txt': 'a1' }), 'a.txt')).save();
    expect(first).toMatchObject({ version: 'v1', baseWasLatest: true, rebasedOnto: null, branched: false });

    const stale = base.newDraft().addFile(path.join(writeFiles({ 'b.txt': 'b1' }), 'b.txt')).addFile(path.join(writeFiles({ 'c.txt': 'c1' }), 'c.txt'));
    const saved = await run.logArtifact(stale);
    expect(saved).toMatchObject({ version: 'v2', basedOn: 'v0', previousLatest: 'v1', baseWasLatest: false, rebasedOnto: 'v1', branched: false, changes: { added: 1, modified: 1, removed: 0 } });
    expect((await saved.files()).map((f) => [f.path, f.size])).toEqual([['a.txt', 2], ['b.txt', 2], ['c.txt', 2]]);
    const entry = async (ref: string, p: string) => (await (await api.artifact(ref)).files()).find((f) => f.path === p)?.digest;
    expect(await entry('stale:v2', 'a.txt')).toBe(await entry('stale:v1', 'a.txt'));
    expect((await api.artifact('stale:v2')).base).toBe('v1');
    expect((await api.artifact('stale')).version).toBe('v2');
  });

  test('a stale draft that changes a path changed since is refused naming the path and the newer version, or branched on its base when asked', async () => {
    const base = await api.artifact('stale:v0');
    const overlapping = () => base.newDraft().addFile(path.join(writeFiles({ 'a.txt': 'a-conflict' }), 'a.txt')).remove('b.txt');
    const refused = run.logArtifact(overlapping());
    await expect(refused).rejects.toBeInstanceOf(StaleDraftError);
    await expect(refused).rejects.toMatchObject({ details: { artifactName: 'stale', base: 'v0', latest: 'v2', paths: ['a.txt', 'b.txt'] } });
    await expect(refused).rejects.toThrow('The draft of stale:v0 changes "a.txt", "b.txt", which were also changed by stale:v2 (now latest) since v0; nothing was committed.');
    expect((await api.versions('stale')).map((v) => v.version)).toEqual(['v0', 'v1', 'v2']);

    const branched = await run.logArtifact(overlapping(), { onStale: 'branch' });
    expect(branched).toMatchObject({ version: 'v3', basedOn: 'v0', baseWasLatest: false, rebasedOnto: null, branched: true, overlapping: ['a.txt', 'b.txt'] });
    expect((await branched.files()).map((f) => f.path)).toEqual(['a.txt']);
    expect((await api.artifact('stale:v3')).base).toBe('v0');
  });

  test('a commit that expects a latest which has moved on writes nothing and says so; one identical to an old version records its inputs there', async () => {
    const store = await Store.fromConfig({ home: process.env['ARTIFACTS_HOME']!, registryUrl: db.url });
    try {
      const manifest = await new ManifestWriter(store.blobs).finish();
      const result = await store.registry.commit({ name: 'stale', type: 'dataset', manifest: { ...manifest, digest: 'f'.repeat(64) }, idempotencyKey: 'expect-v1', expectLatest: 1 });
      expect(result).toMatchObject({ stale: true, created: false, version: { version: 'v3' } });
      expect(await store.registry.findCommit('expect-v1')).toBeUndefined();
      expect((await store.registry.versions('stale')).length).toBe(4);

      const v1 = await store.registry.resolve('stale:v1');
      const again = await store.registry.commit({
        name: 'stale', type: 'dataset', manifest: v1.manifest, idempotencyKey: 'same-as-v1', uses: [{ name: 'rerun', index: 1 }], producer: { workflowId: 'wf-again', run: 'r-again' },
      });
      expect(again).toMatchObject({ created: false, version: { version: 'v1', aliases: ['latest'] } });
      expect(await store.registry.uses('stale', 1)).toEqual([{ name: 'rerun', version: 'v1' }]);
      expect((await store.registry.changes('stale', 1)).find((c) => c.change === 'logged-again')).toMatchObject({
        detail: { producer: { workflowId: 'wf-again', run: 'r-again' }, uses: ['rerun:v1'] }, actor: 'r-again',
      });
    } finally {
      await store.close();
    }
  });
});
