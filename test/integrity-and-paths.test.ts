import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, InvalidPathError, init, type Run } from 'temporal-artifacts';
import { ManifestWriter, configFromEnv, Store } from 'temporal-artifacts/internal';
import { cli, isolatedEnv, tempDir, writeFiles, shortDigest, blobFile } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

describe('integrity and paths', () => {
  let run: Run;
  beforeAll(async () => {
    run = await init();
  });
  afterAll(async () => {
    await run.finish();
  });

  test('verify names the file whose stored blob was corrupted, and the CLI exits 1', async () => {
    const dir = writeFiles({ 'good.txt': 'fine', 'bad.txt': 'will be corrupted' });
    const v = await run.logArtifact(new Artifact('corruptible', 'dataset').addDir(dir));
    expect((await v.verify()).ok).toBe(true);
    const bad = (await v.files()).find((f) => f.path === 'bad.txt')!;
    const blob = blobFile(path.join(env.ARTIFACTS_HOME, 'blobs'), bad.digest);
    fs.writeFileSync(blob, 'flipped bits');

    const report = await v.verify();
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([{ path: 'bad.txt', expected: bad.digest, actual: expect.stringMatching(/^blake3:[0-9a-f]{64}$/) }]);

    // The damaged blob was set aside (kept under damaged/ for inspection), so it reads as missing from now on.
    expect(fs.existsSync(blob)).toBe(false);
    const [aside] = fs.readdirSync(path.join(env.ARTIFACTS_HOME, 'blobs', 'damaged'));
    expect(aside).toMatch(new RegExp(`^${bad.digest}-`));
    const out = cli(['verify', 'corruptible:v0'], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`corrupt: bad.txt (expected ${shortDigest(bad.digest)}, found no bytes: missing, or set aside as damaged by an earlier check)`);
    expect(out.stderr).toContain('FAILED: 1 of 2 files of corruptible:v0 do not match');
    expect((await v.verify()).mismatches).toEqual([{ path: 'bad.txt', expected: bad.digest, actual: 'missing' }]);
  });

  test('names that would escape the artifact are refused when added', () => {
    const file = path.join(writeFiles({ 'f.txt': 'x' }), 'f.txt');
    const a = new Artifact('escape', 'dataset');
    expect(() => a.addFile(file, { name: '../x' })).toThrow(InvalidPathError);
    expect(() => a.addFile(file, { name: '../x' })).toThrow('Invalid artifact path "../x": ".." segments are not allowed.');
    expect(() => a.addFile(file, { name: '/etc/passwd' })).toThrow('absolute paths are not allowed');
    expect(() => a.addFile(file, { name: 'a//b' })).toThrow('empty segment');
    expect(() => a.addFile(file, { name: 'a\u0000b' })).toThrow('NUL or control character');
    expect(() => a.addDir(path.dirname(file), { name: 'x/../../y' })).toThrow('".." segments are not allowed');
    expect(() => a.add({}, 'C:/windows')).toThrow('drive-letter paths are not allowed');
  });

  test('download refuses a manifest entry that would write outside the target folder, and writes nothing', async () => {
    // A manifest can only hold such a path if someone forged it: write one straight into the store.
    const store = await Store.fromConfig(configFromEnv(env));
    const writer = new ManifestWriter(store.blobs);
    const digest = await store.blobs.putBytes(Buffer.from('evil'));
    await writer.add({ path: '../escaped.txt', digest, size: 4 });
    const manifest = await writer.finish();
    await store.registry.commit({ name: 'forged', type: 'dataset', manifest, idempotencyKey: 'forged-1' });
    await store.close();

    const parent = tempDir();
    const target = path.join(parent, 'target');
    const api = new Api({ env });
    await expect((await api.artifact('forged:v0')).download(target)).rejects.toThrow('Invalid artifact path "../escaped.txt"');
    expect(fs.existsSync(path.join(parent, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(target)).toBe(false);
    await api.close();
  });

  test('addDir does not follow symlinks out of the folder, and says what it skipped', async () => {
    const outside = writeFiles({ 'secret.txt': 'outside' });
    const dir = writeFiles({ 'inside.txt': 'in' });
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link-out.txt'));
    fs.symlinkSync(path.join(dir, 'inside.txt'), path.join(dir, 'link-in.txt'));
    const v = await run.logArtifact(new Artifact('linked', 'dataset').addDir(dir));
    expect((await v.files()).map((f) => f.path)).toEqual(['inside.txt', 'link-in.txt']);
    expect(v.stage.skipped).toEqual([{ local: path.join(fs.realpathSync(dir), 'link-out.txt'), reason: `symlink points outside ${dir}` }]);
  });
});
