import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Artifact, type ArtifactVersion } from 'temporal-artifacts';
import { configFromEnv, Store } from 'temporal-artifacts/internal';
import { writeFiles } from './helpers';
import { sharedRun } from './shared-run';

/** Every entry of a version as `path -> size`, for readable expectations. */
async function listing(v: ArtifactVersion): Promise<Record<string, number>> {
  return Object.fromEntries((await v.files()).map((f) => [f.path, f.size]));
}

describe('incremental mode', () => {
  const shared = sharedRun();
  const { api } = shared;

  async function logBase(name: string, files: Record<string, string>): Promise<ArtifactVersion> {
    const dir = writeFiles(files);
    await shared.run.logArtifact(new Artifact(name, 'dataset').addDir(dir));
    return api.artifact(`${name}:latest`);
  }

  test('the documented changes (add, remove, modify) each make the expected next version and leave the base as it was', async () => {
    const base = await logBase('documented', { 'file_to_remove.txt': 'dup', 'modified_file.txt': 'old label', 'keep.txt': 'keep' });
    const baseListing = await listing(base);
    const edits = writeFiles({ 'file_to_add.txt': 'new batch', 'modified_file.txt': 'corrected label' });

    const added = await shared.run.logArtifact(base.newDraft().addFile(path.join(edits, 'file_to_add.txt')));
    expect(added).toMatchObject({ version: 'v1', basedOn: 'v0', baseWasLatest: true, changes: { added: 1, removed: 0, modified: 0 } });
    expect(await listing(added)).toEqual({ ...baseListing, 'file_to_add.txt': 9 });

    const v1 = await api.artifact('documented:latest');
    const removed = await v1.newDraft().remove('file_to_remove.txt').save();
    expect(removed).toMatchObject({ version: 'v2', basedOn: 'v1', changes: { added: 0, removed: 1, modified: 0 } });
    expect(Object.keys(await listing(removed))).toEqual(['file_to_add.txt', 'keep.txt', 'modified_file.txt']);

    const v2 = await api.artifact('documented:latest');
    const modified = await shared.run.logArtifact(v2.newDraft().addFile(path.join(edits, 'modified_file.txt')));
    expect(modified).toMatchObject({ version: 'v3', basedOn: 'v2', changes: { added: 0, removed: 0, modified: 1 } });
    const out = writeFiles({});
    await modified.download(out);
    expect(fs.readFileSync(path.join(out, 'modified_file.txt'), 'utf8')).toBe('corrected label');
    expect(modified.base).toBe('v2');

    const again = await api.artifact('documented:v0');
    expect(again.digest).toBe(base.digest);
    expect(await listing(again)).toEqual(baseListing);
    expect((await again.verify()).ok).toBe(true);
    expect((await modified.verify()).ok).toBe(true);
  });

  test('removing a missing path fails at once; removing a folder removes everything under it', async () => {
    const base = await logBase('folders', { 'images/a.png': 'a', 'images/b.png': 'b', 'images/deep/c.png': 'c', 'images.txt': 'not in the folder', 'labels/a.json': '{}' });
    const draft = base.newDraft();
    expect(() => draft.remove('images/zzz.png')).toThrow('remove("images/zzz.png"): folders:v0 has no entry or folder by that name');
    expect(() => draft.remove('imag')).toThrow('has no entry or folder by that name');
    draft.remove('images');
    expect(() => draft.remove('images/a.png')).toThrow('or this draft removed it already');
    const v = await draft.save();
    expect(Object.keys(await listing(v))).toEqual(['images.txt', 'labels/a.json']);
    expect(v.changes).toEqual({ added: 0, removed: 3, modified: 0 });
  });

  test('a draft made where the base store cannot be read synchronously checks its removals when saved, before committing anything', async () => {
    const dir = writeFiles({ 'a.txt': 'a' });
    const logged = await shared.run.logArtifact(new Artifact('checked-late', 'dataset').addDir(dir));
    // A LoggedVersion does not hold the opened store, like a draft over a remote store: remove() cannot look now.
    const draft = logged.newDraft().remove('missing.txt');
    await expect(draft.save()).rejects.toThrow('remove("missing.txt"): checked-late:v0 has no entry or folder by that name, and the draft did not add one; run `artifacts show checked-late:v0` to see its files.');
    expect((await api.versions('checked-late')).map((v) => v.version)).toEqual(['v0']);
  });

  test('only added files are read: the base needs neither its source files nor its stored bytes, and nothing of it is uploaded again', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`part-${String(i).padStart(3, '0')}.txt`] = `content ${i} `.repeat(20);
    const dir = writeFiles(files);
    const base = await shared.run.logArtifact(new Artifact('untouched', 'dataset').addDir(dir));
    // Take away every byte of the base: its sources and its stored blobs. A draft that read or re-hashed any of them would fail.
    fs.rmSync(dir, { recursive: true });
    const store = await Store.fromConfig(configFromEnv());
    for (const f of await base.files()) await store.blobs.delete(f.digest);
    const blobsBefore = await countBlobs(store);

    const extra = writeFiles({ 'new.txt': 'the only new bytes' });
    const draft = (await api.artifact('untouched:latest')).newDraft().addFile(path.join(extra, 'new.txt')).remove('part-007.txt');
    const v = await draft.save();
    expect(v.stage).toMatchObject({ files: 1, bytes: 18, bytesWritten: 18 });
    expect(v.fileCount).toBe(300);
    const blobsAfter = await countBlobs(store);
    // One content blob, the spec, the added files' own small manifest, the edits list, and a few chunks: not 300 files' worth.
    expect(blobsAfter - blobsBefore).toBeLessThanOrEqual(4 + v.chunksWritten);
    expect(v.chunksWritten).toBeLessThanOrEqual(4);
    const byPath = new Map((await v.files()).map((f) => [f.path, f.digest]));
    for (const f of await base.files()) if (f.path !== 'part-007.txt') expect(byPath.get(f.path)).toBe(f.digest);
    await store.close();
  });

  test('a draft whose base is no longer latest, touching nothing changed since, is applied on top of latest and says so', async () => {
    const base = await logBase('stale', { 'a.txt': 'a', 'b.txt': 'b' });
    const late = base.newDraft().remove('a.txt');
    const other = writeFiles({ 'c.txt': 'c' });
    const meanwhile = await base.newDraft().addFile(path.join(other, 'c.txt')).save();
    expect(meanwhile).toMatchObject({ version: 'v1', baseWasLatest: true });
    const v = await late.save();
    expect(v).toMatchObject({ version: 'v2', basedOn: 'v0', previousLatest: 'v1', baseWasLatest: false, rebasedOnto: 'v1' });
    // The removal does not touch what v1 changed, so it applies on top of v1: v1's c.txt stays.
    expect(Object.keys(await listing(v))).toEqual(['b.txt', 'c.txt']);
    expect((await api.artifact('stale:latest')).version).toBe('v2');
    const lineage = await (await api.artifact('stale:v0')).lineage();
    expect(lineage).toMatchObject({ ref: 'stale:v0', base: null, derived: ['stale:v1'] });
    const l2 = await (await api.artifact('stale:v2')).lineage();
    expect(l2.base).toBe('stale:v1');
    expect(l2.producer?.workflowId).toMatch(/^artifacts\/incremental\/stale\//);
  });

  test('saving the same draft twice returns the same version; a draft that changes nothing returns its base', async () => {
    const base = await logBase('idempotent', { 'x.txt': 'x' });
    const extra = writeFiles({ 'y.txt': 'y' });
    const draft = base.newDraft().addFile(path.join(extra, 'y.txt'));
    const first = await draft.save();
    const second = await draft.save();
    expect(second.version).toBe(first.version);
    expect((await api.versions('idempotent')).length).toBe(2);
    const same = writeFiles({ 'x.txt': 'x' });
    const noop = await (await api.artifact('idempotent:latest')).newDraft().addFile(path.join(same, 'x.txt')).save();
    expect(noop).toMatchObject({ version: 'v1', created: false, changes: { added: 0, removed: 0, modified: 0 } });
  });

  test('diff lists added, removed and modified entries with sizes', async () => {
    const base = await logBase('diffed', { 'keep.txt': 'k', 'gone.txt': 'gone', 'changed.txt': 'short' });
    const extra = writeFiles({ 'changed.txt': 'much longer now', 'fresh.txt': 'fresh' });
    const v = await base.newDraft().addDir(extra).remove('gone.txt').save();
    const diff = await v.diff(base);
    expect(diff.entries.map((d) => [d.kind, d.path])).toEqual([['modified', 'changed.txt'], ['added', 'fresh.txt'], ['removed', 'gone.txt']]);
    expect(diff.summary).toMatchObject({ added: 1, removed: 1, modified: 1, addedBytes: 5, removedBytes: 4, modifiedBytesDelta: 10 });
  });
});

async function countBlobs(store: Store): Promise<number> {
  const all: string[] = [];
  for await (const digest of store.blobs.list()) all.push(digest);
  return all.length;
}
