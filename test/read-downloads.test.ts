import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Api, Artifact, IntegrityError, UsageError, type ArtifactVersion } from 'temporal-artifacts';
import { CLI, cli, tempDir, writeFiles, shortDigest, writeUniqueFile } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api, env, blobPath } = shared;

const FILES = { 'a.txt': 'alpha', 'images/cat.png': 'meow meow', 'images/dog.png': 'woof', 'labels/7.json': '{"label":7}', 'images/deep/x.bin': 'x'.repeat(3000) };

/** A version of FILES plus a file of its own; tests that damage blobs damage only those of the first file they log. */
async function logged(name: string): Promise<ArtifactVersion> {
  const v = await shared.run.logArtifact(new Artifact(name, 'dataset').addDir(writeFiles({ ...FILES, [`${name}.txt`]: name })));
  return api.artifact(v.ref);
}

/** inode, mtime and ctime (ns) of every file under `dir`: equal before and after means nothing was rewritten or touched. */
function stamps(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = fs.lstatSync(path.join(dir, rel), { bigint: true });
    if (st.isFile()) out[rel] = `${st.ino}/${st.mtimeNs}/${st.ctimeNs}`;
  }
  return out;
}

/** Overwrites every blob of a version with bytes of the same size that hash to something else, then restores them after `work`. */
async function withDamagedBlobs(v: ArtifactVersion, work: () => Promise<void>): Promise<void> {
  const saved = new Map<string, Buffer>();
  for (const f of await v.files()) {
    saved.set(f.digest, fs.readFileSync(blobPath(f.digest)));
    fs.writeFileSync(blobPath(f.digest), 'D'.repeat(f.size));
  }
  try {
    await work();
  } finally {
    for (const [digest, bytes] of saved) fs.writeFileSync(blobPath(digest), bytes);
  }
}

describe('downloads do only the needed work', () => {
  test('a second download into the same folder rewrites nothing and reads no blob (every blob is damaged before it)', async () => {
    const v = await logged('second-download');
    const target = tempDir();
    const first = await v.download(target);
    expect(first).toMatchObject({ files: 6, fetched: 6, skipped: 0 });
    const before = stamps(target);

    await withDamagedBlobs(v, async () => {
      expect(await v.download(target)).toMatchObject({ files: 6, fetched: 0, fetchedBytes: 0, skipped: 6, hashed: 0 });
    });
    expect(stamps(target)).toEqual(before);
    expect(fs.readFileSync(path.join(target, 'images/cat.png'), 'utf8')).toBe('meow meow');
  });

  test('a changed file is fetched again; a file only touched is hashed once and left as it is', async () => {
    const v = await logged('changed-in-place');
    const target = tempDir();
    await v.download(target);
    fs.writeFileSync(path.join(target, 'a.txt'), 'ALPHA');
    fs.utimesSync(path.join(target, 'images/dog.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = fs.statSync(path.join(target, 'images/dog.png'), { bigint: true });
    fs.rmSync(path.join(target, 'labels/7.json'));

    const again = await v.download(target);
    expect(again).toMatchObject({ fetched: 2, skipped: 4, hashed: 2 });
    expect(fs.readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('alpha');
    expect(fs.readFileSync(path.join(target, 'labels/7.json'), 'utf8')).toBe('{"label":7}');
    const after = fs.statSync(path.join(target, 'images/dog.png'), { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([touched.ino, touched.mtimeNs]);
    expect(await v.download(target)).toMatchObject({ fetched: 0, skipped: 6, hashed: 0 });
  });

  test('a newer version over an older one replaces its changed files whole, reads none of them, and leaves the rest untouched', async () => {
    const name = 'newer-over-older';
    const v0 = await api.artifact((await shared.run.logArtifact(new Artifact(name, 'dataset').addDir(writeFiles(FILES)))).ref);
    const changed = { ...FILES, 'a.txt': 'ALPHA v1', 'images/cat.png': 'purr', 'images/dog.png': 'WOOF v1', 'labels/8.json': '{"label":8}' };
    const v1 = await api.artifact((await shared.run.logArtifact(new Artifact(name, 'dataset').addDir(writeFiles(changed)))).ref);
    const target = tempDir();
    await v0.download(target);
    // The user edits one file that v1 also changes (to bytes of the size v1 has): it is hashed before it is replaced.
    fs.writeFileSync(path.join(target, 'images/dog.png'), 'edited!');
    const before = stamps(target);

    expect(await v1.download(target)).toMatchObject({ files: 6, fetched: 4, skipped: 2, hashed: 1 });
    for (const [rel, text] of Object.entries(changed)) expect(fs.readFileSync(path.join(target, rel), 'utf8')).toBe(text);
    const after = stamps(target);
    for (const rel of ['labels/7.json', 'images/deep/x.bin']) expect(after[rel]).toBe(before[rel]);
    // Replaced through a temp name: a new file, never the old one rewritten in place, and no temp name left.
    for (const rel of ['a.txt', 'images/cat.png']) expect(after[rel]!.split('/')[0]).not.toBe(before[rel]!.split('/')[0]);
    expect(Object.keys(after).filter((rel) => rel.includes('.artifacts-partial-'))).toEqual([]);
    expect(await v1.download(target)).toMatchObject({ fetched: 0, skipped: 6, hashed: 0 });
  });

  test('a path prefix downloads only the files under it, from the API and the CLI', async () => {
    const v = await logged('with-prefix');
    const target = tempDir();
    expect(await v.download(target, { pathPrefix: 'images/' })).toMatchObject({ files: 3, fetched: 3 });
    expect(fs.readdirSync(target, { recursive: true }).sort()).toEqual(['images', 'images/cat.png', 'images/deep', 'images/deep/x.bin', 'images/dog.png']);

    const out = path.join(tempDir(), 'out');
    const r = cli(['download', v.ref, out, '--path-prefix', 'images/d'], env);
    expect(r).toMatchObject({ code: 0, stdout: `downloaded ${v.ref}: 2 files, 2.9 KiB (2 fetched, 2.9 KiB; 0 already in place) into ${out}\n` });
    expect(fs.readdirSync(out, { recursive: true }).sort()).toEqual(['images', 'images/deep', 'images/deep/x.bin', 'images/dog.png']);
    expect(cli(['download', v.ref, out, '--path-prefix', 'nothing/'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('has no file whose path starts with "nothing/"') });
  });
});

describe('read state', () => {
  test('the stat cache of a download folder that was removed is pruned by a later download; those of live folders stay', async () => {
    const v = await logged('pruned-state');
    // A data folder of its own over the same registry and blobs, so its read-state/ holds only this test's folders.
    const home = tempDir();
    const own = new Api({ env: { ...env, ARTIFACTS_HOME: home, ARTIFACTS_REGISTRY: `sqlite://${path.join(env.ARTIFACTS_HOME, 'registry.db')}`, ARTIFACTS_STORE: `file://${path.join(env.ARTIFACTS_HOME, 'blobs')}` } });
    try {
      const version = await own.artifact(v.ref);
      const [gone, kept, later] = [tempDir(), tempDir(), tempDir()];
      await version.download(gone);
      await version.download(kept);
      const stateFiles = (): string[] => fs.readdirSync(path.join(home, 'read-state')).sort();
      expect(stateFiles()).toHaveLength(2);
      fs.writeFileSync(path.join(home, 'read-state', 'left-by-an-old-release.json'), '{}');
      // Marks of downloads writing into a folder (killed ones leave theirs) go with their folder, and only then.
      const markOf = (dir: string): string => {
        const state = fs.readdirSync(path.join(home, 'read-state')).find((f) => fs.readFileSync(path.join(home, 'read-state', f), 'utf8').includes(JSON.stringify(dir)))!;
        fs.writeFileSync(path.join(home, 'read-state', `${state}.writing-elsewhere-1-x`), `artifacts-read-state 0 ${JSON.stringify(dir)}\n`);
        return `${state}.writing-elsewhere-1-x`;
      };
      const [goneMark, keptMark] = [markOf(gone), markOf(kept)];
      fs.rmSync(gone, { recursive: true });

      // An unchanged folder writes no state, so prunes nothing; a download that adds a state file (a new folder) does.
      expect(await version.download(kept)).toMatchObject({ fetched: 0 });
      expect(stateFiles()).toHaveLength(5);
      await version.download(later);
      expect(stateFiles()).toContain(keptMark);
      expect(stateFiles()).not.toContain(goneMark);
      const left = stateFiles().filter((f) => f !== keptMark).map((f) => fs.readFileSync(path.join(home, 'read-state', f), 'utf8').split('\n')[0]);
      expect(left.sort()).toEqual([kept, later].map((d) => `artifacts-read-state 3 ${JSON.stringify(d)}`).sort());
      expect(await version.download(kept)).toMatchObject({ fetched: 0, skipped: 6, hashed: 0 });
    } finally {
      await own.close();
    }
  });
});

describe('checkout makes a folder hold exactly the version', () => {
  test('files, folders and links the version does not hold are removed; nothing outside the folder is touched', async () => {
    const v = await logged('checkout-strays');
    const target = tempDir();
    await v.download(target);
    const outside = writeFiles({ 'keep.txt': 'not yours' });
    writeFiles({ 'stray.txt': 's', 'images/old.png': 'o', 'junk/deeper/j.txt': 'j' }, target);
    fs.symlinkSync(outside, path.join(target, 'images/link'));
    fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(target, 'link.txt'));
    const kept = stamps(target);

    const r = await v.checkout(target);
    expect(r).toMatchObject({ fetched: 0, skipped: 6 });
    expect([...r.removed].sort()).toEqual(['images/link', 'images/old.png', 'junk', 'link.txt', 'stray.txt']);
    expect(fs.readdirSync(target, { recursive: true }).sort()).toEqual(['a.txt', 'checkout-strays.txt', 'images', 'images/cat.png', 'images/deep', 'images/deep/x.bin', 'images/dog.png', 'labels', 'labels/7.json']);
    for (const f of Object.keys(FILES)) expect(stamps(target)[f]).toBe(kept[f]);
    expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('not yours');

    const out = cli(['checkout', v.ref, target], env);
    expect(out).toMatchObject({ code: 0, stdout: expect.stringContaining('(0 fetched, 0 B; 6 already in place), 0 removed') });
  });

  test('into a folder no download wrote into, holding other files, checkout fails naming them and writes nothing; --force removes them', async () => {
    const v = await logged('checkout-unknown-folder');
    const project = writeFiles({ 'src/main.py': 'print(1)', 'README.md': 'mine', 'notes.txt': 'mine too', 'data/keep.csv': 'x' });
    const before = stamps(project);

    const out = cli(['checkout', v.ref, project], env);
    expect(out).toMatchObject({ code: 2, stdout: '' });
    expect(out.stderr).toBe(`error: Checkout of ${v.ref} into ${project} would remove 4 files and folders no download put there ("README.md", "data", "notes.txt", and 1 more). ` +
      'Use `artifacts download` to add the version beside them, or checkout with --force ({ force: true }) to remove them.\n');
    expect(stamps(project)).toEqual(before);

    const forced = cli(['checkout', v.ref, project, '--force'], env);
    expect(forced).toMatchObject({ code: 0, stdout: expect.stringContaining('4 removed') });
    expect(fs.readdirSync(project).sort()).toEqual(['a.txt', 'checkout-unknown-folder.txt', 'images', 'labels']);
  });
});

describe('one entry', () => {
  test('getEntry gives size, digest, verified bytes and a downloaded file; cat prints the file', async () => {
    const v = await logged('one-entry');
    const entry = await v.getEntry('labels/7.json');
    expect(entry).toMatchObject({ path: 'labels/7.json', size: 11 });
    expect(entry.digest).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect((await entry.bytes()).toString()).toBe('{"label":7}');
    const file = path.join(tempDir(), 'label.json');
    expect(await entry.download(file)).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"label":7}');

    expect(cli(['cat', v.ref, 'images/cat.png'], env)).toMatchObject({ code: 0, stdout: 'meow meow' });
    await expect(v.getEntry('images/cow.png')).rejects.toBeInstanceOf(UsageError);
    expect(cli(['cat', v.ref, 'images/cow.png'], env)).toMatchObject({ code: 2, stderr: `error: ${v.ref} has no file "images/cow.png"; run \`artifacts show ${v.ref}\` to see its files.\n` });
  });

  test('cat into a reader that stops early (`| head`) ends quietly, as cat does: status 141, nothing on stderr', async () => {
    const dir = tempDir();
    writeUniqueFile(path.join(dir, 'weights.bin'), 32 << 20);
    const v = await shared.run.logArtifact(new Artifact('cat-head', 'model').addDir(dir));
    const child = spawn(process.execPath, [CLI, 'cat', `${v.name}:${v.version}`, 'weights.bin'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });

  test('cat refuses a damaged blob: nothing is printed and the error names the file', async () => {
    const v = await logged('damaged-cat');
    const entry = await v.getEntry('damaged-cat.txt');
    fs.writeFileSync(blobPath(entry.digest), 'DAMAGED-CAT');

    const out = cli(['cat', v.ref, 'damaged-cat.txt'], env);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`error: damaged-cat.txt does not match its digest (expected ${shortDigest(entry.digest)}`);
    await expect(entry.bytes()).rejects.toBeInstanceOf(IntegrityError);
  });
});
