import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Artifact, UsageError } from 'temporal-artifacts';
import { markDataFolder } from 'temporal-artifacts/internal';
import { tempDir, writeFiles } from './helpers';
import { sharedRun } from './shared-run';
import { versionOf } from './store-versions';

// The data folder (ARTIFACTS_HOME) is never written into or removed by a download or checkout, wherever the target is.

/** A folder holding the data folder `.artifacts` (a store with one version of `files`) and a user's stray file. */
async function homeInside(files: Record<string, string>): Promise<Awaited<ReturnType<typeof versionOf>> & { parent: string; home: string }> {
  const parent = tempDir('artifacts-user-home-');
  const home = path.join(parent, '.artifacts');
  const made = await versionOf(files, home);
  fs.writeFileSync(path.join(parent, 'notes.txt'), 'a stray');
  return { ...made, parent, home };
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('the data folder is out of every download\'s reach', () => {
  test('a checkout into the folder holding the data folder removes the strays around it, and leaves the data folder whole', async () => {
    const { parent, home, download, root } = await homeInside({ 'model.bin': 'weights' });
    const before = listing(home);
    expect(before).toContain('blobs');

    const r = await download(parent, root, { removeStrays: true, force: true });
    expect(r.removed).toEqual(['notes.txt']);
    expect(fs.readdirSync(parent).sort()).toEqual(['.artifacts', 'model.bin']);
    // The stat cache of this folder is all a download adds there.
    expect(listing(home).filter((p) => !p.startsWith('read-state'))).toEqual(before.filter((p) => !p.startsWith('read-state')));
    // Again, by the shortcut for a version already placed in full.
    expect(await download(parent, root, { removeStrays: true })).toMatchObject({ skipped: 1, removed: [] });
    expect(listing(home)).toContain('blobs');
  });

  test('a version with a file where the data folder is fails naming it, and writes nothing into the data folder', async () => {
    const { parent, home, download, root } = await homeInside({ 'readme.txt': 'hi', '.artifacts/registry.db': 'a forged registry' });
    const registry = fs.readFileSync(path.join(home, 'registry.db'));

    const failed = await download(parent, root).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(UsageError);
    expect((failed as Error).message).toBe(`Cannot download ".artifacts/registry.db" into ${parent}: ${home} is the data folder (ARTIFACTS_HOME), ` +
      'which a download never writes into. Download into another folder.');
    expect(fs.readFileSync(path.join(home, 'registry.db'))).toEqual(registry);
  });

  test('a target inside the data folder, or reaching it through a link, is refused before anything is created', async () => {
    const { parent, home, download } = await homeInside({ 'a.txt': 'alpha' });
    const inside = path.join(home, 'blobs', 'out');
    await expect(download(inside)).rejects.toThrow(`Cannot download into ${inside}: it is inside the data folder ${home} (ARTIFACTS_HOME), which holds the registry and the blobs. Choose a folder outside it.`);
    expect(fs.existsSync(inside)).toBe(false);

    const link = path.join(tempDir(), 'shortcut');
    fs.symlinkSync(home, link);
    await expect(download(path.join(link, 'out'), undefined, { removeStrays: true })).rejects.toBeInstanceOf(UsageError);
    expect(fs.existsSync(path.join(home, 'out'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'blobs'))).toBe(true);
    expect(fs.readdirSync(parent)).toContain('.artifacts');
  });

  test('its work folders, where pipeline steps and fan-out shards download their uses, take downloads', async () => {
    const { home, download } = await homeInside({ 'a.txt': 'alpha' });
    for (const stepFolder of [path.join(home, 'scratch', 'shard-1', 'inputs'), path.join(home, 'runs', 'run-1', 'train', 'inputs')]) {
      expect(await download(stepFolder)).toMatchObject({ fetched: 1 });
      expect(fs.readFileSync(path.join(stepFolder, 'a.txt'), 'utf8')).toBe('alpha');
    }
  });
});

describe('logging a folder leaves data folders out', () => {
  const shared = sharedRun();

  test('a data folder inside a logged folder is skipped and reported; the data folder itself is refused by name', async () => {
    const dir = writeFiles({ 'train.csv': 'a,b\n', 'sub/.artifacts/registry.db': 'changes while read', 'sub/.artifacts/blobs/x': 'y', 'sub/kept.txt': 'kept' });
    markDataFolder(path.join(dir, 'sub', '.artifacts'));

    const v = await shared.run.logArtifact(new Artifact('beside-a-data-folder', 'dataset').addDir(dir));
    expect((await v.files()).map((f) => f.path)).toEqual(['sub/kept.txt', 'train.csv']);
    expect(v.stage.skipped).toEqual([{ local: path.join(fs.realpathSync(dir), 'sub', '.artifacts'), reason: 'the data folder of temporal-artifacts (ARTIFACTS_HOME) is never logged' }]);

    const home = shared.env.ARTIFACTS_HOME;
    await expect(shared.run.logArtifact(new Artifact('the-data-folder', 'dataset').addDir(home))).rejects.toThrow(
      `Cannot log ${home}: it is the data folder of temporal-artifacts (ARTIFACTS_HOME), which is never logged. Log the files you need from their own folder.`);
  });
});
