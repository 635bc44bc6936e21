import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Artifact, IntegrityError, UnsafeTargetError } from 'temporal-artifacts';
import { configFromEnv, downloadVersion, Store } from 'temporal-artifacts/internal';
import { CLI, cli, tempDir, writeFiles, shortDigest, writeUniqueFile } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api, env, blobPath } = shared;

describe('download serves only verified bytes, and only inside its folder', () => {
  test('a stored blob damaged in place is not written: the CLI exits 1 naming the file, and the other files arrive whole', async () => {
    const dir = writeFiles({ 'good.txt': 'fine', 'bad.txt': 'will be damaged' });
    const v = await shared.run.logArtifact(new Artifact('damaged-download', 'dataset').addDir(dir));
    const bad = (await v.files()).find((f) => f.path === 'bad.txt')!;
    fs.writeFileSync(blobPath(bad.digest), 'WILL BE DAMAGED');

    const target = path.join(tempDir(), 'out');
    const out = cli(['download', 'damaged-download:v0', target], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('1 of 2 files of damaged-download:v0 do not match their digests and were not written');
    expect(out.stderr).toContain(`bad.txt: expected ${shortDigest(bad.digest)}, found blake3:`);
    expect(fs.readdirSync(target)).toEqual(['good.txt']);
    expect(fs.readFileSync(path.join(target, 'good.txt'), 'utf8')).toBe('fine');
  });

  test('a manifest chunk changed in place in the store fails the download naming that chunk, and nothing is written under a path the version does not hold', async () => {
    const v = await shared.run.logArtifact(new Artifact('damaged-manifest', 'dataset').addDir(writeFiles({ 'a.txt': 'aaa', 'b.txt': 'bbb' })));
    // The version's one chunk, with a path changed in place: it still parses, and names a file the version lacks.
    const leaf = blobPath(v.record.manifest.root);
    const bytes = fs.readFileSync(leaf);
    const at = bytes.indexOf('b.txt');
    expect(at).toBeGreaterThanOrEqual(0);
    bytes.write('z', at);
    fs.writeFileSync(leaf, bytes);

    const target = path.join(tempDir(), 'out');
    const out = cli(['download', 'damaged-manifest:v0', target], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Blob ${v.record.manifest.root} in `);
    expect(out.stderr).toContain('it was changed outside this tool');
    expect(fs.existsSync(path.join(target, 'z.txt'))).toBe(false);
    await expect((await api.artifact(v.ref)).getEntry('a.txt')).rejects.toBeInstanceOf(IntegrityError);
  });

  test('a file:// reference whose file changed since it was logged is not written, and the error names it', async () => {
    const dir = writeFiles({ 'weights.bin': 'original weights' });
    const file = path.join(dir, 'weights.bin');
    const v = await shared.run.logArtifact(new Artifact('changed-reference', 'model').addReference(pathToFileURL(file).href, { name: 'weights.bin' }));
    fs.writeFileSync(file, 'swapped weights');

    const target = path.join(tempDir(), 'out');
    const download = (await api.artifact(v.ref)).download(target);
    await expect(download).rejects.toBeInstanceOf(IntegrityError);
    await expect(download).rejects.toThrow(/1 of 1 files of changed-reference:v0 do not match .*\n {2}weights\.bin: changed at its origin file:\/\/.* since it was logged \(expected blake3:/);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  test('a symlink in the target folder pointing outside it is refused, and nothing is written through it', async () => {
    const v = await shared.run.logArtifact(new Artifact('through-link', 'dataset').addDir(writeFiles({ 'sub/a.txt': 'a', 'top.txt': 'top' })));
    const outside = tempDir();
    const target = tempDir();
    fs.symlinkSync(outside, path.join(target, 'sub'));

    const download = (await api.artifact(v.ref)).download(target);
    await expect(download).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(download).rejects.toThrow(`Cannot download "sub/a.txt": ${path.join(target, 'sub')} is a symbolic link, and download never writes through one.`);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('a symlink where a file goes is replaced by the file; what it pointed to is untouched', async () => {
    const v = await shared.run.logArtifact(new Artifact('over-link', 'dataset').addDir(writeFiles({ 'top.txt': 'from the version' })));
    const victim = path.join(writeFiles({ 'victim.txt': 'keep me' }), 'victim.txt');
    const target = tempDir();
    fs.symlinkSync(victim, path.join(target, 'top.txt'));

    await (await api.artifact(v.ref)).download(target);
    expect(fs.lstatSync(path.join(target, 'top.txt')).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(path.join(target, 'top.txt'), 'utf8')).toBe('from the version');
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  });

  test('a folder swapped for a symlink while the download runs does not redirect the files still to come', async () => {
    const v = await shared.run.logArtifact(new Artifact('swapped-folder', 'dataset').addDir(writeFiles({ 'sub/a.txt': 'a', 'sub/b.txt': 'b' })));
    const outside = tempDir();
    const target = tempDir();
    const store = await Store.fromConfig(configFromEnv(env));
    const record = await store.registry.resolve(v.ref);
    await downloadVersion(store, record, target, { onFile: (done) => {
      if (done !== 1) return;
      fs.renameSync(path.join(target, 'sub'), path.join(target, 'sub-moved'));
      fs.symlinkSync(outside, path.join(target, 'sub'));
    } });
    await store.close();
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.readdirSync(path.join(target, 'sub-moved')).sort()).toEqual(['a.txt', 'b.txt']);
  });
});

describe('an interrupted download leaves no temp file behind', () => {
  const PARTIAL = '.artifacts-partial-';
  let ref = '';
  const bigVersion = async (): Promise<string> => {
    if (ref) return ref;
    const dir = tempDir();
    writeUniqueFile(path.join(dir, 'big.bin'), 256 << 20);
    const v = await shared.run.logArtifact(new Artifact('interrupted-download', 'model').addDir(dir));
    return (ref = `${v.name}:${v.version}`);
  };
  const partialsIn = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(PARTIAL)) : []);
  /** The marks downloads writing into `dir` keep beside its state file in the data folder (gone once each is done). */
  const marksOf = (dir: string): string[] => {
    const state = `${createHash('sha256').update(path.resolve(dir)).digest('hex')}.state.writing-`;
    return fs.readdirSync(path.join(env.ARTIFACTS_HOME, 'read-state')).filter((n) => n.startsWith(state));
  };

  /** Starts `artifacts download`, sends `signal` once its temp file exists, and returns its exit (code or signal). */
  async function downloadStopped(target: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; partial: string }> {
    const child = spawn(process.execPath, [CLI, 'download', await bigVersion(), target], { env, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
    let partial: string | undefined;
    for (const started = Date.now(); partial === undefined && Date.now() - started < 60_000;) {
      partial = partialsIn(target)[0];
      if (partial === undefined) await new Promise((r) => setTimeout(r, 1));
    }
    child.kill(signal);
    return { ...(await exited), partial: partial ?? 'none seen' };
  }

  test('SIGINT: `artifacts download` exits 130 and removes the file it was writing, and its mark of writing there', async () => {
    const target = path.join(tempDir(), 'out');
    const stopped = await downloadStopped(target, 'SIGINT');
    expect(stopped.partial).toMatch(/^\.artifacts-partial-/);
    expect({ code: stopped.code, left: partialsIn(target) }).toEqual({ code: 130, left: [] });
    expect(marksOf(target)).toEqual([]);
  });

  test('SIGKILL: the next download into the folder removes what the killed one left, but not a live download\'s temp file', async () => {
    const target = path.join(tempDir(), 'out');
    const killed = await downloadStopped(target, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(partialsIn(target)).toEqual([killed.partial]);
    // The same name, as another download on this host that is still running (this process) would have it.
    const live = killed.partial.replace(/^(\.artifacts-partial-[0-9a-f]+-)\d+-/, `$1${process.pid}-`);
    expect(live).not.toBe(killed.partial);
    fs.writeFileSync(path.join(target, live), 'being written');
    // One the killed download would have left in a folder the next download writes nothing into.
    fs.mkdirSync(path.join(target, 'elsewhere'));
    fs.writeFileSync(path.join(target, 'elsewhere', `${killed.partial}-2`), 'left by the killed one');
    // The killed download left its mark beside the folder's state: that is what sends the next one looking.
    const marks = () => marksOf(target);
    expect(marks()).toHaveLength(1);

    expect(cli(['download', await bigVersion(), target], env)).toMatchObject({ code: 0 });
    expect(fs.readdirSync(target).sort()).toEqual([live, 'big.bin', 'elsewhere']);
    expect(fs.readdirSync(path.join(target, 'elsewhere'))).toEqual([]);
    expect(marks()).toEqual([]);
  });
});
