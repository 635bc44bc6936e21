import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ReadCache } from 'temporal-artifacts/internal';
import { b3, CLI, isolatedEnv, writeFiles, writeUniqueFile } from './helpers';

/** Mounting a tmpfs and dropping to another user both need root; elsewhere these tests skip, saying why. */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('file-faults: skipped, not root (a tmpfs mount and running as "nobody" need root)');

interface Finished {
  readonly code: number | null;
  /** Set when the child had to be killed: it did not end by itself. */
  readonly killedBy: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv and waits for it to end by itself; after `limitMs` it is killed, which the caller sees as killedBy. */
function runToEnd(argv: readonly string[], env: NodeJS.ProcessEnv, limitMs = 100_000): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, killedBy: signal, stdout, stderr });
    });
  });
}

/** `text` as a regular expression that matches it literally. */
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const clean of cleanups.reverse()) clean();
});

describe.skipIf(!isRoot)('permanent file errors end the command with one message naming the file', () => {
  test('a blob store on a full disk: `artifacts log` retries a few times, then names the file and says to free space', async () => {
    const home = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'artifacts-full-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', home]).status).toBe(0);
    cleanups.push(() => {
      spawnSync('umount', [home]);
      fs.rmSync(home, { recursive: true, force: true });
    });
    const env = isolatedEnv({ ARTIFACTS_HOME: home });
    const data = fs.mkdtempSync(path.join(path.dirname(home), 'artifacts-big-'));
    const big = path.join(data, 'big.bin');
    writeUniqueFile(big, 16 << 20);

    const r = await runToEnd([process.execPath, CLI, 'log', big, '--name', 'too-big', '--type', 'dataset'], env);
    expect(r.killedBy).toBeNull();
    // A slow machine may print a progress line first (every 5 s without a TTY); the error is the one message.
    const stderr = r.stderr.replace(/^hashing\+uploading: .*\n/gm, '');
    expect({ code: r.code, stdout: r.stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: No space left on the disk holding ${path.join(home, 'blobs')} while storing ${JSON.stringify(big)} (ENOSPC): free space there, ` +
        'or set ARTIFACTS_HOME to a folder on a larger disk, then try again.\n',
    });
    // The partial copy gave its space back.
    expect(fs.readdirSync(path.join(home, 'blobs', 'tmp'))).toEqual([]);
  });

  test('a blob store on a full disk while small files are logged in batches: one message naming a file and the store, nothing left in tmp', async () => {
    const home = fullSoon('6m');
    const env = isolatedEnv({ ARTIFACTS_HOME: home });
    // 200 files of 64 KiB: batched on the ingest threads (more than 64 small files), 12.5 MiB in all.
    const data = writeFiles(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${String(i).padStart(3, '0')}.bin`, randomBytes(64 << 10)])));

    const r = await runToEnd([process.execPath, CLI, 'log', data, '--name', 'many-small', '--type', 'dataset'], env);
    expect(r.killedBy).toBeNull();
    const stderr = r.stderr.replace(/^hashing\+uploading: .*\n/gm, '');
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^error: No space left on the disk holding ${escape(path.join(home, 'blobs'))} while storing "${escape(data)}/f\\d{3}\\.bin" \\(ENOSPC\\): ` +
      'free space there, or set ARTIFACTS_HOME to a folder on a larger disk, then try again\\.\\n$'));
    expect(fs.readdirSync(path.join(home, 'blobs', 'tmp'))).toEqual([]);
  });

  /** A folder on a tmpfs of `size` (unmounted and removed after the file's tests). */
  function fullSoon(size: string): string {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'artifacts-small-disk-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status).toBe(0);
    cleanups.push(() => {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  }

  test('a download into a full disk: `artifacts download` names the folder, keeps the files written and leaves no partial file', async () => {
    const env = isolatedEnv();
    const data = writeFiles({ 'notes.txt': 'small' });
    writeUniqueFile(path.join(data, 'weights.bin'), 9 << 20); // three chunks: written at their offsets, on no path
    const logged = await runToEnd([process.execPath, CLI, 'log', data, '--name', 'too-big-here', '--type', 'model'], env);
    expect(logged.code).toBe(0);
    const out = path.join(fullSoon('2m'), 'out');

    const r = await runToEnd([process.execPath, CLI, 'download', 'too-big-here:latest', out], env);
    expect(r.killedBy).toBeNull();
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: No space left on the disk holding ${out} (ENOSPC): free space there or download to a folder on a larger disk, then try again ` +
        '(the files already written are kept, and not written again).\n',
    });
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
  });

  test('the read cache on a full disk: keeping a fetched blob fails with one message naming the cache, and leaves no temp file', async () => {
    const root = fullSoon('1m');
    const cache = new ReadCache(root, 1 << 30);
    const bytes = randomBytes(2 << 20);
    await expect(cache.putChecked(b3(bytes), bytes)).rejects.toThrow(
      `No space left on the disk holding ${root} (ENOSPC): free space there, or set ARTIFACTS_CACHE_MAX_BYTES lower (0 turns the read cache off), then try again.`);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  describe('files this user cannot read', () => {
    // As root, permissions do not apply: the command runs as "nobody", with a data folder of its own, in a folder
    // outside the test run's private temp folder (which nobody else may enter).
    let root = '';
    let env: NodeJS.ProcessEnv = {};
    beforeAll(() => {
      root = fs.mkdtempSync('/tmp/artifacts-nobody-');
      cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
      fs.chmodSync(root, 0o755);
      const home = path.join(root, 'home');
      fs.mkdirSync(home);
      fs.chownSync(home, 65534, 65534);
      env = isolatedEnv({ ARTIFACTS_HOME: home, TMPDIR: home, HOME: home });
    });
    const asNobody = (args: readonly string[]): Promise<Finished> =>
      runToEnd(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, ...args], env);

    test('a file of mode 000: `artifacts log` fails at once naming it', async () => {
      const secret = path.join(root, 'secret.bin');
      fs.writeFileSync(secret, 'weights');
      fs.chmodSync(secret, 0o000);
      const r = await asNobody(['log', secret, '--name', 'secret', '--type', 'model']);
      expect(r.killedBy).toBeNull();
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        code: 1, stdout: '', stderr: `error: Cannot add ${JSON.stringify(secret)}: permission denied. Check the path exists and is readable.\n`,
      });
    });

    test('a folder of mode 000 inside a logged folder: `artifacts log` fails at once naming that folder', async () => {
      const dir = path.join(root, 'dataset');
      fs.mkdirSync(path.join(dir, 'private'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'public.csv'), 'a,b\n');
      fs.writeFileSync(path.join(dir, 'private', 'rows.csv'), 'c,d\n');
      fs.chmodSync(path.join(dir, 'private'), 0o000);
      const r = await asNobody(['log', dir, '--name', 'partly-private', '--type', 'dataset']);
      expect(r.killedBy).toBeNull();
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        code: 1, stdout: '', stderr: `error: Cannot add ${JSON.stringify(path.join(dir, 'private'))}: permission denied. Check the path exists and is readable.\n`,
      });
    });
  });
});
