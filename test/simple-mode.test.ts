import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Artifact } from 'temporal-artifacts';
import { writeFiles } from './helpers';
import { sharedRun } from './shared-run';

describe('simple mode', () => {
  const shared = sharedRun();
  const { api } = shared;

  test('a run logs a new artifact as v0 with the latest alias, as the documented example does', async () => {
    const dir = writeFiles({ 'image1.png': 'pixels-1' });
    const artifact = new Artifact('artifact_name', 'artifact_type');
    artifact.addFile(path.join(dir, 'image1.png'));
    const v = await shared.run.logArtifact(artifact);
    expect(v).toMatchObject({ name: 'artifact_name', type: 'artifact_type', version: 'v0', created: true, fileCount: 1 });
    expect(v.aliases).toEqual(['latest']);
    expect(await v.files()).toEqual([{ path: 'image1.png', digest: expect.stringMatching(/^blake3:[0-9a-f]{64}$/), size: 8 }]);
  });

  test('artifact.save() outside a run creates a version on its own', async () => {
    const dir = writeFiles({ 'image1.png': 'outside' });
    const artifact = new Artifact('saved-outside', 'dataset');
    artifact.addFile(path.join(dir, 'image1.png'));
    const v = await artifact.save();
    expect(v.version).toBe('v0');
    expect((await api.artifact('saved-outside:latest')).digest).toBe(v.digest);
  });

  test('identical content returns the existing version; changed content makes v1; aliases move', async () => {
    const dir = writeFiles({ 'a.txt': 'one', 'b/c.txt': 'two' });
    const log = (aliases: string[]) => shared.run.logArtifact(new Artifact('moving', 'dataset').addDir(dir), { aliases });
    const first = await log(['best']);
    const again = await log(['candidate']);
    expect(again.version).toBe('v0');
    expect(again.created).toBe(false);
    expect(again.digest).toBe(first.digest);
    expect(again.aliases).toEqual(['latest', 'best', 'candidate']);

    fs.writeFileSync(path.join(dir, 'a.txt'), 'one, corrected');
    const changed = await log(['best']);
    expect(changed).toMatchObject({ version: 'v1', created: true });
    expect(changed.digest).not.toBe(first.digest);
    const versions = await api.versions('moving');
    expect(versions.map((v) => [v.version, v.aliases])).toEqual([['v0', ['candidate']], ['v1', ['latest', 'best']]]);
    expect((await api.artifact('moving:best')).version).toBe('v1');
    expect((await api.artifact('moving:v0')).digest).toBe(first.digest);
  });

  test('adding a name twice replaces the entry; remove drops a file or a folder prefix', async () => {
    const dir = writeFiles({ 'x/one.txt': '1', 'x/two.txt': '2', 'keep.txt': 'k', 'new.txt': 'replacement' });
    const artifact = new Artifact('edits', 'dataset')
      .addDir(path.join(dir, 'x'), { name: 'x' })
      .addFile(path.join(dir, 'keep.txt'))
      .addFile(path.join(dir, 'new.txt'), { name: 'keep.txt' })
      .add({ columns: ['id', 'label'], rows: [[1, 'cat']] }, 'tables/labels')
      .remove('x');
    const v = await shared.run.logArtifact(artifact);
    const files = await v.files();
    expect(files.map((f) => [f.path, f.size])).toEqual([['keep.txt', 11], ['tables/labels.json', 45]]);
    const out = path.join(writeFiles({}), 'out');
    await v.download(out);
    expect(fs.readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('replacement');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'tables/labels.json'), 'utf8'))).toEqual({ columns: ['id', 'label'], rows: [[1, 'cat']] });
  });

  test('a file:// reference is tracked by checksum without copying, and downloads from its source', async () => {
    const dir = writeFiles({ 'weights.bin': 'w'.repeat(1000) });
    const uri = pathToFileURL(path.join(dir, 'weights.bin')).href;
    const v = await shared.run.logArtifact(new Artifact('referenced', 'model').addReference(uri));
    const [entry] = await v.files();
    expect(entry).toMatchObject({ path: 'weights.bin', size: 1000, ref: uri });
    expect((await v.verify()).ok).toBe(true);
    fs.writeFileSync(path.join(dir, 'weights.bin'), 'changed');
    const report = await v.verify();
    expect(report.mismatches.map((m) => m.path)).toEqual(['weights.bin']);
  });

  test('logging the same name with another type is refused with a clear error', async () => {
    const dir = writeFiles({ 'f.txt': 'f' });
    await shared.run.logArtifact(new Artifact('typed', 'dataset').addFile(path.join(dir, 'f.txt')));
    await expect(shared.run.logArtifact(new Artifact('typed', 'model').addFile(path.join(dir, 'f.txt'))))
      .rejects.toThrow('Artifact "typed" has type "dataset", not "model". Use the existing type or another name.');
  });

  test('bad input fails fast, before any workflow starts', () => {
    const artifact = new Artifact('fast', 'dataset');
    expect(() => artifact.addFile('/definitely/not/here.png')).toThrow('Cannot add "/definitely/not/here.png": it does not exist.');
    expect(() => artifact.remove('never-added.txt')).toThrow('remove("never-added.txt"): artifact "fast" has no entry or folder by that name');
    expect(() => new Artifact('bad name!', 'dataset')).toThrow('Invalid artifact name "bad name!"');
    expect(() => artifact.add(() => 1, 'fn')).toThrow('the value is not JSON-serializable');
  });

  test('a missing ref names what exists and what to run', async () => {
    await expect(api.artifact('moving:v9')).rejects.toThrow('Artifact "moving:v9" not found. "moving" has versions v0..v1 and aliases best, candidate, latest');
    await expect(api.artifact('nothing-here:latest')).rejects.toThrow('No artifact is named "nothing-here"; run `artifacts ls`');
    await expect(api.artifact('moving:')).rejects.toThrow('Invalid artifact ref "moving:"');
  });
});
