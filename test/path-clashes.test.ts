import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, DraftConflictError, InvalidPathError, init, type Run } from 'temporal-artifacts';
import { isolatedEnv, writeFiles } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

/** An artifact whose entries are named as given (relative names, each from its own small file). */
function named(name: string, entries: string[]): Artifact {
  const dir = writeFiles(Object.fromEntries(entries.map((e, i) => [`f${i}.txt`, `content of ${e}`])));
  const artifact = new Artifact(name, 'dataset');
  entries.forEach((e, i) => artifact.addFile(path.join(dir, `f${i}.txt`), { name: e }));
  return artifact;
}

describe('a version no file system could hold is refused before it is made', () => {
  let a: Run;
  let b: Run;
  let api: Api;
  beforeAll(async () => {
    [a, b] = await Promise.all([init({ id: 'clash-writer-a' }), init({ id: 'clash-writer-b' })]);
    api = new Api({ env });
  });
  afterAll(async () => {
    await api.close();
    await Promise.all([a.finish(), b.finish()]);
  });

  test('a file and a folder of the same name in one artifact are refused when logged, naming both paths', async () => {
    // "x-a" sorts between "x" and "x/y": the check must see past it.
    const logged = a.logArtifact(named('file-and-folder', ['x', 'x-a', 'x/y']));
    await expect(logged).rejects.toMatchObject({ code: 'PathClashError' });
    await expect(logged).rejects.toThrow('Artifact paths "x" and "x/y" clash: "x" is a file, so it cannot also be the folder holding "x/y"');
    expect(await api.versions('file-and-folder')).toEqual([]);
  });

  test('names longer than file systems allow are refused when added', () => {
    const file = path.join(writeFiles({ 'f.txt': 'x' }), 'f.txt');
    const artifact = new Artifact('too-long', 'dataset');
    expect(() => artifact.addFile(file, { name: `dir/${'a'.repeat(256)}` })).toThrow(InvalidPathError);
    expect(() => artifact.addFile(file, { name: `dir/${'a'.repeat(256)}` })).toThrow('is 256 bytes long, and file systems allow 255');
    // 128 two-byte characters: 128 characters, 256 bytes.
    expect(() => artifact.addFile(file, { name: 'é'.repeat(128) })).toThrow('is 256 bytes long');
    expect(() => artifact.addFile(file, { name: Array.from({ length: 18 }, () => 'b'.repeat(240)).join('/') })).toThrow('file systems allow paths of 4096');
    expect(() => artifact.addFile(file, { name: `dir/${'a'.repeat(255)}` })).not.toThrow();
  });

  test('collaborative writers cannot put a file and a folder of the same name into one draft, whichever comes first', async () => {
    const id = `clash-${randomUUID().slice(0, 8)}`;
    await a.upsertArtifact(named('clashing-draft', ['preds/x', 'keep.txt']), { distributedId: id });
    const inside = b.upsertArtifact(named('clashing-draft', ['preds/x/y']), { distributedId: id });
    await expect(inside).rejects.toBeInstanceOf(DraftConflictError);
    await expect(inside).rejects.toThrow('writer "clash-writer-b" upserted "preds/x/y", but writer "clash-writer-a" already added "preds/x": "preds/x" would be a file and also the folder holding "preds/x/y"');

    await a.upsertArtifact(named('clashing-draft', ['models/m/weights.bin']), { distributedId: id });
    const over = b.upsertArtifact(named('clashing-draft', ['models/m']), { distributedId: id });
    await expect(over).rejects.toThrow('writer "clash-writer-b" upserted "models/m", but writer "clash-writer-a" already added "models/m/weights.bin": "models/m" would be a file');
  });

  test('an incremental draft cannot add a file inside a file of its base, or a file where its base has a folder', async () => {
    await a.logArtifact(named('clash-base', ['x', 'data/part-0']));
    const base = await api.artifact('clash-base:latest');
    const inside = base.newDraft().addFile(path.join(writeFiles({ 'y': 'y' }), 'y'), { name: 'x/y' }).save();
    await expect(inside).rejects.toMatchObject({ code: 'PathClashError' });
    await expect(inside).rejects.toThrow('Artifact paths "x" and "x/y" clash in the draft of clash-base:v0');
    const over = base.newDraft().addFile(path.join(writeFiles({ 'd': 'd' }), 'd'), { name: 'data' }).save();
    await expect(over).rejects.toThrow('Artifact paths "data" and "data/part-0" clash in the draft of clash-base:v0');

    // Removing the file first makes room for the folder.
    const replaced = await base.newDraft().remove('x').addFile(path.join(writeFiles({ 'y': 'y' }), 'y'), { name: 'x/y' }).save();
    expect(replaced.version).toBe('v1');
  });
});
