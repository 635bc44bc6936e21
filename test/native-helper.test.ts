import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { nativeHelper, packSmallBatch, placeChunk, placeSmall, runChunkJob, runSmallBatch, stillPlaced } from 'temporal-artifacts/internal';
import { b3, blobFile, tempDir, writeFiles } from './helpers';

// Each native function has a JavaScript twin (the road taken without the helper, or with ARTIFACTS_NATIVE=0); these
// tests run both on the same input and compare what they did, so neither can drift from the other.

afterEach(() => {
  delete process.env['ARTIFACTS_NATIVE'];
});

function twin<T>(run: () => T): T {
  process.env['ARTIFACTS_NATIVE'] = '0';
  try {
    return run();
  } finally {
    delete process.env['ARTIFACTS_NATIVE'];
  }
}

/** What a folder holds: each file's bytes (as text) and each link's target, by relative path. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(full)}`;
    else if (st.isFile()) out[rel] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

test('the native helper is built by npm run build on this machine (Rust is part of the set-up), and ARTIFACTS_NATIVE=0 turns it off', () => {
  expect(nativeHelper()).toBeDefined();
  expect(twin(() => nativeHelper())).toBeUndefined();
});

function placedFilesOf(root: string, paths: string[]): { paths: string[]; quick: Float64Array } {
  const quick = new Float64Array(paths.length * 5);
  paths.forEach((p, i) => {
    const st = fs.lstatSync(path.join(root, p));
    quick.set([st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev], i * 5);
  });
  return { paths, quick };
}

test('a version still in place is told apart from every kind of change the same way with and without the helper', () => {
  const layout = { 'top.txt': 'top', 'a/one.txt': 'one', 'a/b/two.txt': 'two', 'c/three.txt': 'three' };
  const cases: Record<string, (root: string) => void> = {
    'nothing changed': () => undefined,
    'a file rewritten with the same size': (root) => fs.writeFileSync(path.join(root, 'a/b/two.txt'), 'TWO'),
    'a file removed': (root) => fs.rmSync(path.join(root, 'c/three.txt')),
    'a file replaced by a link to a copy': (root) => {
      fs.writeFileSync(path.join(root, 'copy'), 'one');
      fs.rmSync(path.join(root, 'a/one.txt'));
      fs.symlinkSync(path.join(root, 'copy'), path.join(root, 'a/one.txt'));
    },
    'a folder replaced by a link to a copy of it': (root) => {
      fs.cpSync(path.join(root, 'c'), path.join(root, 'c-copy'), { recursive: true, preserveTimestamps: true });
      fs.rmSync(path.join(root, 'c'), { recursive: true });
      fs.symlinkSync(path.join(root, 'c-copy'), path.join(root, 'c'));
    },
    'a file replaced by a folder': (root) => {
      fs.rmSync(path.join(root, 'top.txt'));
      fs.mkdirSync(path.join(root, 'top.txt'));
    },
    'the folder itself gone': (root) => fs.rmSync(root, { recursive: true }),
  };
  const answers: Record<string, [boolean, boolean]> = {};
  for (const [name, change] of Object.entries(cases)) {
    const root = writeFiles(layout);
    const placed = placedFilesOf(root, Object.keys(layout).sort());
    change(root);
    answers[name] = [stillPlaced(root, placed), twin(() => stillPlaced(root, placed))];
  }
  expect(answers).toEqual({
    'nothing changed': [true, true],
    'a file rewritten with the same size': [false, false],
    'a file removed': [false, false],
    'a file replaced by a link to a copy': [false, false],
    'a folder replaced by a link to a copy of it': [false, false],
    'a file replaced by a folder': [false, false],
    'the folder itself gone': [false, false],
  });
});

/** A store-like folder of blobs: each content under the name of its digest. */
function blobs(contentsByName: Record<string, string>): { dir: string; file: (content: string) => string } {
  const dir = tempDir('artifacts-native-blobs-');
  for (const content of Object.values(contentsByName)) fs.writeFileSync(path.join(dir, b3(content).slice(7)), content);
  return { dir, file: (content) => path.join(dir, b3(content).slice(7)) };
}

/** A local store's blobs: each of `stored` under the digest given (its bytes need not hash to it). */
function blobsAt(stored: Record<string, string>): string {
  const root = tempDir('artifacts-native-store-');
  for (const [digest, bytes] of Object.entries(stored)) {
    fs.mkdirSync(path.dirname(blobFile(root, digest)), { recursive: true });
    fs.writeFileSync(blobFile(root, digest), bytes);
  }
  return root;
}

test('small files are placed, refused and replaced the same way with and without the helper, and stamped as fs.fstat stamps them', () => {
  const blobRoot = blobsAt({
    [b3('alpha')]: 'alpha', [b3('bravo')]: 'bravo', [b3('charlie')]: 'charlie', [b3('golf')]: 'golf',
    [b3('delta')]: 'not delta', [b3('foxtrot')]: 'foxtrot and more',
  });
  const run = (folder: string) => placeSmall({
    kind: 'place-small', folder, blobRoot, files: [
      { leaf: 'new.txt', digest: b3('alpha'), size: 5 },
      { leaf: 'taken.txt', digest: b3('bravo'), size: 5 },
      { leaf: 'old.txt', digest: b3('charlie'), size: 7, replace: '.artifacts-partial-x1' },
      { leaf: 'dir', digest: b3('bravo'), size: 5, replace: '.artifacts-partial-x2' },
      { leaf: 'damaged.txt', digest: b3('delta'), size: 9 },
      { leaf: 'longer.txt', digest: b3('foxtrot'), size: 7 },
      { leaf: 'missing.txt', digest: b3('echo'), size: 4 },
      { leaf: 'link.txt', digest: b3('golf'), size: 4 },
    ],
  });
  const start = (): string => {
    const folder = writeFiles({ 'taken.txt': 'someone else', 'old.txt': 'an older version', 'dir/inside': 'kept' });
    fs.symlinkSync('/nowhere', path.join(folder, 'link.txt'));
    return folder;
  };
  const withHelper = start();
  const without = start();
  const native = run(withHelper);
  const js = twin(() => run(without));

  expect(contents(withHelper)).toEqual(contents(without));
  expect(contents(withHelper)).toEqual({ 'new.txt': 'alpha', 'taken.txt': 'someone else', 'old.txt': 'charlie', 'dir/inside': 'kept', 'link.txt': '-> /nowhere' });
  const placed = (stamps: readonly (string | null)[]) => stamps.map((s) => s !== null);
  expect(placed(native.stamps)).toEqual([true, false, true, false, false, false, false, false]);
  expect(placed(js.stamps)).toEqual(placed(native.stamps));
  for (const [i, leaf] of [[0, 'new.txt'], [2, 'old.txt']] as const) {
    const st = fs.statSync(path.join(withHelper, leaf), { bigint: true });
    expect(native.stamps[i]).toBe(`${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.dev}`);
  }
});

test('a small file that cannot be created fails the batch with the error Node gives, naming the path', () => {
  const blobRoot = blobsAt({ [b3('alpha')]: 'alpha' });
  const folder = path.join(tempDir(), 'not-there');
  const job = { kind: 'place-small' as const, folder, blobRoot, files: [{ leaf: 'a.txt', digest: b3('alpha'), size: 5 }] };
  const failure = (run: () => unknown): unknown => {
    try {
      run();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { code: e.code, syscall: e.syscall, path: e.path, message: e.message };
    }
    return 'no error';
  };
  const native = failure(() => placeSmall(job));
  expect(native).toEqual({ code: 'ENOENT', syscall: 'open', path: path.join(folder, 'a.txt'), message: `ENOENT: no such file or directory, open '${path.join(folder, 'a.txt')}'` });
  expect(twin(() => failure(() => placeSmall(job)))).toEqual(native);
});

test('firstChanged names the first file whose stamp changed, though the threads look at the files in parts, and -1 when none did', () => {
  const native = nativeHelper()!;
  const names = Array.from({ length: 6000 }, (_, i) => `d${String(i % 50).padStart(2, '0')}/f${String(i).padStart(4, '0')}.txt`).sort();
  const root = writeFiles(Object.fromEntries(names.map((n) => [n, n])));
  const { quick } = placedFilesOf(root, names);
  const lines = Buffer.from(`${names.join('\n')}\n`);
  const first = () => native.firstChanged(root, lines, quick);
  expect(first()).toBe(-1);
  const touch = (i: number) => fs.writeFileSync(path.join(root, names[i]!), 'changed, same size?'.slice(0, names[i]!.length));
  touch(5000);
  expect(first()).toBe(5000);
  touch(120);
  expect(first()).toBe(120);
  // Stamps that do not add up to one a path name nothing as unchanged.
  expect(native.firstChanged(root, lines, quick.subarray(5))).toBe(0);
  expect(native.firstChanged(path.join(root, 'gone'), lines, quick)).toBe(0);
  expect(native.firstChanged(root, Buffer.alloc(0), new Float64Array(0))).toBe(-1);
  // Paths as a state file holds them or nothing: a last one not ended, or one that is not text, names nothing unchanged.
  expect(native.firstChanged(root, lines.subarray(0, -1), quick)).toBe(0);
  expect(native.firstChanged(root, Buffer.concat([Buffer.from([0xff, 0x0a]), lines.subarray(lines.indexOf(0x0a) + 1)]), quick)).toBe(0);
});

test('batches placed at once on the helper\'s own threads come back in order, each as placeSmall places it, and a failure is the batch\'s', async () => {
  const native = nativeHelper()!;
  const contents = ['alpha', 'bravo', 'charlie', 'delta'];
  const blobRoot = blobsAt(Object.fromEntries(contents.map((c) => [b3(c), c])));
  const file = (leaf: string, content: string) => ({ leaf, digest: b3(content), size: content.length });
  const folders = Array.from({ length: 9 }, () => writeFiles({ 'taken.txt': 'someone else' }));
  const batches = folders.map((folder, i) => packSmallBatch(folder, [file('a.txt', contents[i % 4]!), file('taken.txt', 'bravo'), file('b.txt', contents[(i + 1) % 4]!)]));
  const done = await native.placeSmallBatches(blobRoot, batches, 3);
  expect(done.map((d) => d.stamps.map((s) => s !== null))).toEqual(folders.map(() => [true, false, true]));
  folders.forEach((folder, i) => {
    expect(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe(contents[i % 4]);
    const st = fs.statSync(path.join(folder, 'b.txt'), { bigint: true });
    expect(done[i]!.stamps[2]).toBe(`${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.dev}`);
  });
  const gone = path.join(tempDir(), 'not-there');
  const failed = await native.placeSmallBatches(blobRoot, [packSmallBatch(gone, [file('a.txt', 'alpha')])], 2);
  expect(failed).toEqual([{ stamps: [], failure: { errno: 2, syscall: 'open', path: path.join(gone, 'a.txt') } }]);
  // Parts that do not add up (a caller's bug) place nothing and name the folder.
  const short = { ...packSmallBatch(folders[0]!, [file('c.txt', 'alpha'), file('d.txt', 'bravo')]), sizes: new Float64Array([5]) };
  expect(await native.placeSmallBatches(blobRoot, [short], 2)).toEqual([{ stamps: [], failure: { errno: 22, syscall: 'placeSmall', path: folders[0] } }]);
  expect(fs.existsSync(path.join(folders[0]!, 'c.txt'))).toBe(false);
  // So do leaves that are not one name: nothing is written outside the folder or beside it.
  for (const leaf of ['../escape.txt', 'sub/a.txt', '..', '']) {
    expect(await native.placeSmallBatches(blobRoot, [packSmallBatch(folders[1]!, [file(leaf, 'alpha')])], 2)).toEqual([{ stamps: [], failure: { errno: 22, syscall: 'placeSmall', path: folders[1] } }]);
  }
  expect(fs.existsSync(path.join(path.dirname(folders[1]!), 'escape.txt'))).toBe(false);
  // Without a blob root, a file whose bytes are not given is not placed (nothing read relative to the working folder).
  expect(native.placeSmall('', packSmallBatch(folders[2]!, [file('c.txt', 'alpha')])).stamps).toEqual([null]);
  expect(twin(() => placeSmall({ kind: 'place-small', folder: folders[2]!, blobRoot: '', files: [{ leaf: 'c.txt', digest: b3('alpha'), size: 5 }] })).stamps).toEqual([null]);
});

test('a folder named by a held descriptor (/proc/self/fd/N) is written where it is now, as the kernel resolves that name', async () => {
  const native = nativeHelper()!;
  const blobRoot = blobsAt({ [b3('alpha')]: 'alpha', [b3('bravo')]: 'bravo' });
  const parent = writeFiles({ 'held/old.txt': 'an older version' });
  const fd = fs.openSync(path.join(parent, 'held'), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.renameSync(path.join(parent, 'held'), path.join(parent, 'moved'));
    const batch = packSmallBatch(`/proc/self/fd/${fd}`, [
      { leaf: 'a.txt', digest: b3('alpha'), size: 5 },
      { leaf: 'old.txt', digest: b3('bravo'), size: 5, replace: '.partial-old' },
    ]);
    const [done] = await native.placeSmallBatches(blobRoot, [batch], 2);
    expect(done!.stamps.map((s) => s !== null)).toEqual([true, true]);
    expect(contents(parent)).toEqual({ 'moved/a.txt': 'alpha', 'moved/old.txt': 'bravo' });
    const taken = native.placeSmall(blobRoot, packSmallBatch(`/proc/self/fd/${fd}`, [{ leaf: 'a.txt', digest: b3('alpha'), size: 5 }]));
    expect(taken.stamps).toEqual([null]);
  } finally {
    fs.closeSync(fd);
  }
});

test('bytes fetched from a remote store are placed as a blob file is, and only when they hash to their digest', async () => {
  const native = nativeHelper()!;
  const folder = writeFiles({ 'old.txt': 'an older version' });
  const fetched = (leaf: string, content: string, bytes = Buffer.from(content)) => ({ leaf, digest: b3(content), size: content.length, bytes });
  const [done] = await native.placeSmallBatches('', [packSmallBatch(folder, [
    fetched('a.txt', 'alpha'),
    fetched('damaged.txt', 'bravo', Buffer.from('BRAVO')),
    { ...fetched('old.txt', 'charlie', Buffer.from('charlie')), replace: '.partial-old' },
  ])], 2);
  expect(done!.stamps.map((s) => s !== null)).toEqual([true, false, true]);
  expect(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('alpha');
  expect(fs.readFileSync(path.join(folder, 'old.txt'), 'utf8')).toBe('charlie');
  expect(fs.readdirSync(folder).sort()).toEqual(['a.txt', 'old.txt']);
});

test('a chunk is placed at its offset only when its blob hashes to its digest, the same way with and without the helper', () => {
  const store = blobs({ a: 'chunk-one', b: 'chunk-two' });
  fs.writeFileSync(path.join(store.dir, 'damaged'), 'chunk-TWO');
  const jobs = (fd: number) => [
    { blobFile: store.file('chunk-one'), digest: b3('chunk-one'), size: 9, offset: 0 },
    { blobFile: store.file('chunk-two'), digest: b3('chunk-two'), size: 9, offset: 9 },
    { blobFile: path.join(store.dir, 'damaged'), digest: b3('chunk-two'), size: 9, offset: 18 },
    { blobFile: store.file('chunk-two'), digest: b3('chunk-two'), size: 8, offset: 27 },
    { blobFile: path.join(store.dir, 'nothing-here'), digest: b3('chunk-two'), size: 9, offset: 36 },
    { blobFile: store.file('chunk-one'), digest: b3(''), size: 0, offset: 45 },
  ].map((j) => placeChunk({ kind: 'place-chunk', fd, ...j }).placed);
  const run = (): { placed: boolean[]; bytes: string } => {
    const file = path.join(tempDir(), 'large.bin');
    const fd = fs.openSync(file, 'w');
    try {
      return { placed: jobs(fd), bytes: fs.readFileSync(file, 'latin1') };
    } finally {
      fs.closeSync(fd);
    }
  };
  const native = run();
  // Bytes are written as they are hashed, so a chunk found wrong may leave some (the damaged blob's, the first 8 of a
  // longer one) in the file, which its caller then drops; a missing blob writes nothing.
  expect(native).toEqual({ placed: [true, true, false, false, false, false], bytes: 'chunk-onechunk-twochunk-TWOchunk-tw' });
  expect(twin(run)).toEqual(native);
});

test('a chunk whose write fails throws the error Node gives for a write, naming no path', () => {
  const store = blobs({ a: 'chunk-one' });
  const dir = tempDir();
  const fd = fs.openSync(path.join(dir, 'read-only.bin'), fs.constants.O_CREAT | fs.constants.O_RDONLY);
  try {
    const job = { kind: 'place-chunk' as const, fd, blobFile: store.file('chunk-one'), digest: b3('chunk-one'), size: 9, offset: 0 };
    const shape = (run: () => unknown): unknown => {
      try {
        run();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return { code: e.code, syscall: e.syscall, path: e.path };
      }
      return 'no error';
    };
    const native = shape(() => placeChunk(job));
    expect(native).toEqual({ code: 'EBADF', syscall: 'write', path: undefined });
    expect(twin(() => shape(() => placeChunk(job)))).toEqual(native);
  } finally {
    fs.closeSync(fd);
  }
});

test('a run of chunks is placed by the helper on threads of its own as placeChunk places each one: every chunk at its offset, or false once one is wrong', async () => {
  const native = nativeHelper()!;
  const pieces = Array.from({ length: 64 }, (_, i) => `chunk ${i} `.padEnd(40 + (i % 7), String.fromCharCode(97 + (i % 26))));
  const store = blobs(Object.fromEntries(pieces.map((p, i) => [i, p])));
  fs.writeFileSync(path.join(store.dir, 'damaged'), pieces[5]!.toUpperCase());
  const offsets = pieces.map((_, i) => pieces.slice(0, i).reduce((n, p) => n + p.length, 0));
  const chunks = pieces.map((p, i) => ({ blobFile: store.file(p), hex: b3(p).slice(7), size: p.length, offset: offsets[i]! }));
  const place = async (run: typeof chunks) => {
    const file = path.join(tempDir(), 'large.bin');
    const fd = fs.openSync(file, 'w');
    try {
      const done = await native.placeChunks(run, fd, 2);
      return { placed: done.placed, failure: done.failure ?? undefined, bytes: fs.readFileSync(file, 'latin1') };
    } finally {
      fs.closeSync(fd);
    }
  };
  // Each of them, one by one, as the pool's threads place them.
  const oneByOne = (run: typeof chunks) => {
    const fd = fs.openSync(path.join(tempDir(), 'one.bin'), 'w');
    try {
      return run.every((c) => placeChunk({ kind: 'place-chunk', fd, blobFile: c.blobFile, digest: `blake3:${c.hex}`, size: c.size, offset: c.offset }).placed);
    } finally {
      fs.closeSync(fd);
    }
  };

  expect(await place(chunks)).toEqual({ placed: true, failure: undefined, bytes: pieces.join('') });
  expect(oneByOne(chunks)).toBe(true);
  const wrong = [
    chunks.map((c, i) => (i === 5 ? { ...c, blobFile: path.join(store.dir, 'damaged') } : c)),
    chunks.map((c, i) => (i === 9 ? { ...c, size: c.size - 1 } : c)),
    chunks.map((c, i) => (i === 60 ? { ...c, blobFile: path.join(store.dir, 'nothing-here') } : c)),
  ];
  for (const run of wrong) {
    expect(await place(run)).toMatchObject({ placed: false, failure: undefined });
    expect(oneByOne(run)).toBe(false);
  }
});

test('a run of chunks whose write fails hands back the failed write (EBADF here), naming no path, as placeChunk does', async () => {
  const store = blobs({ a: 'chunk-one', b: 'chunk-two' });
  const fd = fs.openSync(path.join(tempDir(), 'read-only.bin'), fs.constants.O_CREAT | fs.constants.O_RDONLY);
  try {
    const chunks = ['chunk-one', 'chunk-two'].map((c, i) => ({ blobFile: store.file(c), hex: b3(c).slice(7), size: 9, offset: 9 * i }));
    const done = await nativeHelper()!.placeChunks(chunks, fd, 2);
    expect(done).toMatchObject({ placed: false, failure: { errno: os.constants.errno.EBADF, syscall: 'write', path: '' } });
  } finally {
    fs.closeSync(fd);
  }
});

test('a fetched chunk is hashed as the helper writes it into the read cache and the file: its entry appears only when it matched, and no temp is left', async () => {
  const native = nativeHelper()!;
  const dir = tempDir();
  const bytes = randomBytes((600 << 10) + 3); // several write pieces
  const hex = b3(bytes).slice(7);
  const file = path.join(dir, 'file.bin');
  const fd = fs.openSync(file, 'w');
  const readOnly = fs.openSync(path.join(dir, 'read-only.bin'), fs.constants.O_CREAT | fs.constants.O_RDONLY);
  const at = (name: string) => path.join(dir, name);
  try {
    expect(await native.keepFetched(bytes, hex, at('tmp-1'), at('entry-1'), fd, 100)).toMatchObject({ matched: true });
    expect(fs.readFileSync(at('entry-1')).equals(bytes)).toBe(true);
    expect(fs.readFileSync(file).subarray(100).equals(bytes)).toBe(true);

    // Bytes that are not the digest's: no entry, no temp; the file (a temp file of its own) is the caller's to drop.
    expect(await native.keepFetched(bytes, b3('other bytes').slice(7), at('tmp-2'), at('entry-2'), fd, 0)).toMatchObject({ matched: false });
    // No cache given (it is off): the file only.
    expect(await native.keepFetched(bytes, hex, '', '', fd, 0)).toMatchObject({ matched: true });
    // A write into the cache names its temp file; one into the file names no path, and the cache's temp is removed.
    const intoCache = await native.keepFetched(bytes, hex, at('missing/tmp-3'), at('entry-3'), fd, 0);
    expect(intoCache).toMatchObject({ matched: false, failure: { errno: os.constants.errno.ENOENT, syscall: 'open', path: at('missing/tmp-3') } });
    const intoFile = await native.keepFetched(bytes, hex, at('tmp-4'), at('entry-4'), readOnly, 0);
    expect(intoFile).toMatchObject({ matched: false, failure: { errno: os.constants.errno.EBADF, syscall: 'write', path: '' } });
    // A temp name someone else holds is not this call's to remove.
    fs.writeFileSync(at('taken'), 'not ours');
    const taken = await native.keepFetched(bytes, hex, at('taken'), at('entry-5'), fd, 0);
    expect(taken).toMatchObject({ matched: false, failure: { errno: os.constants.errno.EEXIST, syscall: 'open', path: at('taken') } });
    expect(fs.readFileSync(at('taken'), 'utf8')).toBe('not ours');
    expect(fs.readdirSync(dir).sort()).toEqual(['entry-1', 'file.bin', 'read-only.bin', 'taken']);
  } finally {
    fs.closeSync(fd);
    fs.closeSync(readOnly);
  }
});

test('the read cache keeps a fetched chunk written around the page cache, so a download fills memory once: from a buffer of directOffset, from any other, and a length direct writes cannot take', async () => {
  const native = nativeHelper()!;
  const dir = tempDir();
  const fd = fs.openSync(path.join(dir, 'file.bin'), 'w');
  // Bytes of the file in memory, as fincore (util-linux) counts them.
  const resident = (file: string): number => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', file], { encoding: 'utf8' }).trim());
  const room = Buffer.allocUnsafeSlow((4 << 20) + 4096);
  const alignedAt = native.directOffset(room);
  const cases = {
    aligned: room.subarray(alignedAt, alignedAt + (4 << 20)),
    unaligned: room.subarray(alignedAt + 1, alignedAt + 1 + (64 << 10)),
    odd: room.subarray(alignedAt, alignedAt + 1000),
  };
  try {
    for (const [name, bytes] of Object.entries(cases)) {
      randomBytes(bytes.length).copy(bytes);
      const entry = path.join(dir, `entry-${name}`);
      expect(await native.keepFetched(bytes, b3(bytes).slice(7), path.join(dir, `tmp-${name}`), entry, fd, 0)).toMatchObject({ matched: true });
      if (name !== 'odd') expect(resident(entry)).toBe(0);
      expect(b3(fs.readFileSync(entry))).toBe(b3(bytes));
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['entry-aligned', 'entry-odd', 'entry-unaligned', 'file.bin']);
  } finally {
    fs.closeSync(fd);
  }
});

test('on a file system that refuses direct writes (ramfs), the read cache keeps a fetched chunk the usual way', async () => {
  const native = nativeHelper()!;
  const dir = tempDir();
  const cacheDir = tempDir();
  // ramfs refuses O_DIRECT (EINVAL) after the exclusive create has made the file. Mounting it takes root, as this
  // project's tests and CI run.
  execFileSync('mount', ['-t', 'ramfs', 'ramfs', cacheDir]);
  const fd = fs.openSync(path.join(dir, 'file.bin'), 'w');
  try {
    const room = Buffer.allocUnsafeSlow((4 << 20) + 4096);
    const at = native.directOffset(room);
    const bytes = room.subarray(at, at + (4 << 20));
    randomBytes(bytes.length).copy(bytes);
    const entry = path.join(cacheDir, 'entry');
    const done = await native.keepFetched(bytes, b3(bytes).slice(7), path.join(cacheDir, 'tmp'), entry, fd, 0);
    expect(done.failure ?? null).toBeNull();
    expect(done.matched).toBe(true);
    expect(b3(fs.readFileSync(entry))).toBe(b3(bytes));
    expect(fs.readdirSync(cacheDir)).toEqual(['entry']);
  } finally {
    fs.closeSync(fd);
    execFileSync('umount', [cacheDir]);
  }
});

/** A fresh local store's blob folders: the shards of `blake3/` and a temp folder. */
function storeRoot(): { root: string; tmp: string } {
  const root = tempDir('artifacts-native-store-');
  for (let i = 0; i < 256; i++) fs.mkdirSync(path.join(root, 'blake3', i.toString(16).padStart(2, '0')), { recursive: true });
  fs.mkdirSync(path.join(root, 'tmp'));
  return { root, tmp: path.join(root, 'tmp') };
}

test('small files are logged into a store the same way with and without the helper: blobs, reuse, hard links and nothing left in tmp', () => {
  const sources = writeFiles({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'again.txt': 'alpha', 'empty.txt': '', 'present.txt': 'already stored' });
  const files = ['a.txt', 'b.txt', 'again.txt', 'empty.txt', 'present.txt'].map((f) => path.join(sources, f));
  const run = (hardLink: boolean) => {
    const { root, tmp } = storeRoot();
    const present = path.join(root, 'blake3', b3('already stored').slice(7, 9), b3('already stored').slice(9));
    fs.writeFileSync(present, 'already stored');
    fs.utimesSync(present, new Date(0), new Date(0));
    const done = runSmallBatch({ kind: 'small', blobRoot: root, tmpDir: tmp, files, hardLink });
    const blobsOf = Object.fromEntries(['alpha', 'bravo', ''].map((c) => {
      const file = path.join(root, 'blake3', b3(c).slice(7, 9), b3(c).slice(9));
      return [c, { bytes: fs.readFileSync(file, 'utf8'), linked: fs.statSync(file).nlink > 1 }];
    }));
    return { done, blobs: blobsOf, tmpLeft: fs.readdirSync(tmp), presentTouched: fs.statSync(present).mtimeMs > 0 };
  };
  for (const hardLink of [false, true]) {
    const native = run(hardLink);
    expect(native.done).toEqual({
      type: 'batch-done', results: [
        { digest: b3('alpha'), size: 5, wrote: true }, { digest: b3('bravo'), size: 5, wrote: true }, { digest: b3('alpha'), size: 5, wrote: false },
        { digest: b3(''), size: 0, wrote: true }, { digest: b3('already stored'), size: 14, wrote: false },
      ],
    });
    expect(native.blobs['alpha']).toEqual({ bytes: 'alpha', linked: hardLink });
    expect(native.tmpLeft).toEqual([]);
    expect(native.presentTouched).toBe(true);
    // The twin's hard links add to the same source files' link counts: compare what each did, not the counts.
    const js = twin(() => run(hardLink));
    expect(js.done).toEqual(native.done);
    expect(js.tmpLeft).toEqual([]);
    expect(js.presentTouched).toBe(true);
  }
});

/** Where a source file can sit on another file system than the store's (the kernel cannot copy across): tmpfs. */
const otherFileSystem = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(tempDir()).dev ? '/dev/shm' : undefined;

const sourceRoots: [string, string | undefined][] = [['beside the store', undefined], ...(otherFileSystem ? [['on another file system', otherFileSystem] as [string, string]] : [])];

test.each(sourceRoots)('a chunk of a large file (%s) is logged into a store the same way with and without the helper: its blob, reuse, holes kept, nothing left in tmp', (_where, sourceRoot) => {
  const K = 64 << 10;
  const data = randomBytes(6 * K);
  data.fill(0, 2 * K, 4 * K); // two all-zero blocks in the second chunk: stored as a hole
  const source = path.join(writeFiles({ 'big.bin': data }, sourceRoot ? fs.mkdtempSync(path.join(sourceRoot, 'artifacts-chunk-')) : tempDir()), 'big.bin');
  const chunks = [{ offset: 0, length: 2 * K }, { offset: 2 * K, length: 3 * K }, { offset: 0, length: 2 * K }, { offset: 5 * K, length: K - 7 }];
  const run = (streamed: boolean) => {
    const { root, tmp } = storeRoot();
    const done = chunks.map((c) => runChunkJob({ kind: 'chunk', localPath: source, ...c, store: { blobRoot: root, tmpDir: tmp }, streamed }));
    const blobs = done.map((d) => {
      const file = path.join(root, 'blake3', d.digest.slice(7, 9), d.digest.slice(9));
      const st = fs.statSync(file);
      return { bytes: b3(fs.readFileSync(file)), size: st.size, holes: st.blocks * 512 < st.size };
    });
    return { done, blobs, tmpLeft: fs.readdirSync(tmp) };
  };
  const native = run(false);
  expect(native.done).toEqual(chunks.map((c, i) => ({ type: 'chunk-done', digest: b3(data.subarray(c.offset, c.offset + c.length)), size: c.length, wrote: i !== 2 })));
  expect(native.blobs.map((b) => b.bytes)).toEqual(native.done.map((d) => d.digest));
  expect(native.blobs.map((b) => b.holes)).toEqual([false, true, false, false]);
  expect(native.tmpLeft).toEqual([]);
  for (const streamed of [false, true]) expect(twin(() => run(streamed))).toEqual(native);
  if (sourceRoot) fs.rmSync(path.dirname(source), { recursive: true, force: true });
});

test('a chunk of a file that ends early, or is not there, fails the same way with and without the helper, leaving nothing in tmp', () => {
  const source = path.join(writeFiles({ 'short.bin': randomBytes(1000) }), 'short.bin');
  const shape = (run: () => unknown): unknown => {
    try {
      run();
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { localPath?: string };
      return { code: e.code, path: e.path, localPath: e.localPath };
    }
    return 'no error';
  };
  for (const localPath of [source, path.join(path.dirname(source), 'missing.bin')]) {
    const { root, tmp } = storeRoot();
    const job = { kind: 'chunk' as const, localPath, offset: 500, length: 1000, store: { blobRoot: root, tmpDir: tmp } };
    const native = shape(() => runChunkJob(job));
    expect(native).toEqual(localPath === source ? { code: 'ESOURCECHANGED', path: undefined, localPath } : { code: 'ENOENT', path: localPath, localPath: undefined });
    expect(twin(() => shape(() => runChunkJob({ ...job, streamed: true })))).toEqual(native);
    expect(twin(() => shape(() => runChunkJob(job)))).toEqual(native);
    expect(fs.readdirSync(tmp)).toEqual([]);
  }
});

test('a small file that cannot be read fails its batch naming it, with the same error with and without the helper', () => {
  const sources = writeFiles({ 'ok.txt': 'fine' });
  fs.mkdirSync(path.join(sources, 'a-folder'));
  const { root, tmp } = storeRoot();
  for (const bad of ['missing.txt', 'a-folder']) {
    const job = { kind: 'small' as const, blobRoot: root, tmpDir: tmp, files: [path.join(sources, 'ok.txt'), path.join(sources, bad)], hardLink: false };
    const native = runSmallBatch(job);
    expect(native).toMatchObject({ type: 'error', localPath: path.join(sources, bad), code: bad === 'missing.txt' ? 'ENOENT' : 'EISDIR' });
    expect(twin(() => runSmallBatch(job))).toEqual(native);
  }
});

test('a version of more files than one native call takes is checked slice by slice, a change in a later slice caught as in the first', () => {
  // Hard links to a few files: 70,000 entries for the price of directory entries (no inode each; ext4 allows 65,000
  // links to a file).
  const root = tempDir('artifacts-native-many-');
  const paths: string[] = [];
  for (let d = 0; d < 7; d++) {
    fs.mkdirSync(path.join(root, `d${d}`));
    fs.writeFileSync(path.join(root, `source-${d}`), 'same bytes');
    for (let f = 0; f < 10_000; f++) {
      const p = `d${d}/f${String(f).padStart(5, '0')}`;
      // The 66,000th path, in the second slice of 65,536, is a file of its own, so changing it changes no other stamp.
      if (paths.length === 66_000) fs.writeFileSync(path.join(root, p), 'same bytes');
      else fs.linkSync(path.join(root, `source-${d}`), path.join(root, p));
      paths.push(p);
    }
  }
  const placed = placedFilesOf(root, paths);
  expect([stillPlaced(root, placed), twin(() => stillPlaced(root, placed))]).toEqual([true, true]);
  fs.writeFileSync(path.join(root, paths[66_000]!), 'SAME BYTES');
  expect([stillPlaced(root, placed), twin(() => stillPlaced(root, placed))]).toEqual([false, false]);
});
