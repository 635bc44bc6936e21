import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { placedBytes, StatCache } from 'temporal-artifacts/internal';
import { tempDir } from './helpers';

// The stat cache keeps the state file's rows as columns and what a download records or forgets on top of them; these
// sentences hold across a save and a reopen, as the next download sees them.

const stamp = (n: number) => ({ size: n, mtimeNs: `${1_700_000_000 + n}123456789`, ctimeNs: `${1_700_000_100 + n}123456789`, ino: `${1000 + n}`, dev: '2049' });
const digest = (c: string) => `blake3:${c.repeat(64)}`;

function reopened(home: string, dir: string, change: (c: StatCache) => void): StatCache {
  const cache = StatCache.open(home, dir);
  change(cache);
  cache.save();
  return StatCache.open(home, dir);
}

test('a row recorded over one of the file replaces it, a forgotten one is gone, and the others keep their stamps and digests', () => {
  const [home, dir] = [tempDir(), tempDir()];
  reopened(home, dir, (c) => ['a', 'b', 'c'].forEach((p, i) => c.record(p, stamp(i), digest(p))));
  const after = reopened(home, dir, (c) => {
    c.record('b', stamp(7), digest('e'));
    c.forget('c');
    c.record('d', stamp(8), digest('d'));
  });
  expect(after.rowOf('a')).toEqual({ ...stamp(0), digest: digest('a') });
  expect(after.rowOf('b')).toEqual({ ...stamp(7), digest: digest('e') });
  expect(after.knows('c')).toBe(false);
  expect(after.knownDigest('d')).toBe(digest('d'));
  expect(after.digestOf('b', stamp(1))).toBeUndefined();
  expect(after.digestOf('b', stamp(7))).toBe(digest('e'));
  // Every recorded row is handed over with its own stamp's numbers, and whether it holds the digest asked for.
  const found = after.recordedOf([{ path: 'a', digest: digest('a') }, { path: 'b', digest: digest('b') }, { path: 'c', digest: digest('c') }, { path: 'd', digest: digest('d') }]);
  expect(found.entries.map((e) => e.path)).toEqual(['a', 'b', 'd']);
  expect([found.quick[0], found.quick[5], found.quick[10]]).toEqual([0, 7, 8]);
  expect([...found.same]).toEqual([1, 0, 1]);
});

test('the version placed last is its marked files; a file recorded after the mark, or a download started over it, unmarks it', () => {
  const [home, dir] = [tempDir(), tempDir()];
  const placed = reopened(home, dir, (c) => {
    ['a', 'b'].forEach((p, i) => c.record(p, stamp(i), digest(p)));
    c.markPlaced('root-1', '', ['a', 'b']);
  });
  expect(placed.placedFiles('root-1', '')?.paths).toEqual(['a', 'b']);
  expect(placed.placedFiles('root-2', '')).toBeUndefined();
  // A row recorded after the mark no longer counts: the version's file count no longer adds up.
  expect(reopened(home, dir, (c) => c.record('b', stamp(5), digest('b'))).placedFiles('root-1', '')).toBeUndefined();
  const again = reopened(home, dir, (c) => c.markPlaced('root-1', '', ['a', 'b']));
  expect(again.placedFiles('root-1', '')?.paths).toEqual(['a', 'b']);
  expect(reopened(home, dir, (c) => c.unmarkPlaced()).placedFiles('root-1', '')).toBeUndefined();
  // So does one recorded after the mark in the same download.
  const sameRun = reopened(home, dir, (c) => {
    c.markPlaced('root-1', '', ['a', 'b']);
    c.record('a', stamp(6), digest('a'));
  });
  expect(sameRun.placedFiles('root-1', '')).toBeUndefined();
  // A version with a file nothing is known of is not marked.
  expect(reopened(home, dir, (c) => c.markPlaced('root-3', '', ['a', 'x'])).placedFiles('root-3', '')).toBeUndefined();
});

test('a download that only replaced files of the state (a version beside the one in place) saves every other row as it was, and marks as it said', () => {
  const [home, dir] = [tempDir(), tempDir()];
  const paths = ['a', 'b', 'c', 'd'];
  reopened(home, dir, (c) => {
    paths.forEach((p, i) => c.record(p, stamp(i), digest(p)));
    c.markPlaced('root-1', '', paths);
  });
  // Beside it: b and d replaced (b's new line longer than its old one), then the new version marked placed over all four.
  const longer = { ...stamp(7), ino: '123456789012' };
  const beside = reopened(home, dir, (c) => {
    c.unmarkPlaced();
    c.record('b', longer, digest('e'));
    c.record('d', stamp(8), digest('f'));
    c.markPlaced('root-2', '', paths);
  });
  expect(paths.map((p) => beside.rowOf(p))).toEqual([
    { ...stamp(0), digest: digest('a') }, { ...longer, digest: digest('e') }, { ...stamp(2), digest: digest('c') }, { ...stamp(8), digest: digest('f') },
  ]);
  // The file so patched is, byte for byte, the file a save of those rows from nothing writes.
  const fresh = tempDir();
  reopened(fresh, dir, (c) => {
    [[stamp(0), 'a'], [longer, 'e'], [stamp(2), 'c'], [stamp(8), 'f']].forEach(([st, d], i) => c.record(paths[i]!, st as typeof longer, digest(d as string)));
    c.markPlaced('root-2', '', paths);
  });
  const stateOf = (h: string) => fs.readFileSync(path.join(h, 'read-state', fs.readdirSync(path.join(h, 'read-state'))[0]!));
  expect(stateOf(home).equals(stateOf(fresh))).toBe(true);
  expect(beside.placedFiles('root-2', '')?.paths).toEqual(paths);
  expect([...beside.placedFiles('root-2', '')!.quick.filter((_, k) => k % 5 === 0)]).toEqual([0, 7, 2, 8]);
  expect(beside.placedFiles('root-2', '')!.quick[8]).toBe(123456789012);
  // Replaced without a mark after: nothing is placed, and the rows are still the new ones.
  const unmarked = reopened(home, dir, (c) => c.record('a', stamp(9), digest('g')));
  expect(unmarked.placedFiles('root-2', '')).toBeUndefined();
  expect(unmarked.rowOf('a')).toEqual({ ...stamp(9), digest: digest('g') });
  expect(unmarked.rowOf('d')).toEqual({ ...stamp(8), digest: digest('f') });
});

test('rows recorded out of order are saved in path order, each still with its own stamp and digest', () => {
  const [home, dir] = [tempDir(), tempDir()];
  const order = ['d/2', 'a', 'd/1', 'c', 'b'];
  const saved = reopened(home, dir, (c) => {
    order.forEach((p, i) => c.record(p, stamp(i), digest(String(i))));
    c.markPlaced('root-1', '', order);
  });
  const placed = saved.placedFiles('root-1', '')!;
  expect(placed.paths).toEqual(['a', 'b', 'c', 'd/1', 'd/2']);
  expect([...placed.quick.filter((_, k) => k % 5 === 0)]).toEqual([1, 4, 3, 2, 0]);
  expect(order.map((p) => saved.knownDigest(p))).toEqual(order.map((_, i) => digest(String(i))));
});

test('a damaged line of the state file costs only its own file: the others are still known', () => {
  const [home, dir] = [tempDir(), tempDir()];
  reopened(home, dir, (c) => ['a', 'b'].forEach((p, i) => c.record(p, stamp(i), digest(p))));
  const [file] = fs.readdirSync(path.join(home, 'read-state')).map((f) => path.join(home, 'read-state', f));
  const bytes = fs.readFileSync(file!);
  const at = bytes.indexOf(`${stamp(0).mtimeNs} ${stamp(0).ctimeNs} `);
  bytes.write('x', at); // the mtime of a's line is no longer a number
  fs.writeFileSync(file!, bytes);
  const cache = StatCache.open(home, dir);
  expect(cache.rowOf('a')).toBeUndefined();
  expect(cache.digestOf('a', stamp(0))).toBeUndefined();
  expect(cache.rowOf('b')).toEqual({ ...stamp(1), digest: digest('b') });
});

test('a state file replaced after its columns were read is not mixed with the new one: its rows are then unknown', () => {
  const [home, dir] = [tempDir(), tempDir()];
  reopened(home, dir, (c) => ['a', 'b'].forEach((p, i) => c.record(p, stamp(i), digest(p))));
  // The columns and paths are read at once; the exact lines (stamps in full, digests) only when first needed.
  const reader = StatCache.open(home, dir);
  reopened(home, dir, (c) => c.record('a', stamp(5), digest('x')));
  expect(reader.rowOf('a')).toBeUndefined();
  expect(reader.knownDigest('b')).toBeUndefined();
  // Opened again, the new file is read whole.
  const again = StatCache.open(home, dir);
  expect(again.rowOf('a')).toEqual({ ...stamp(5), digest: digest('x') });
  expect(again.knownDigest('b')).toBe(digest('b'));
});

test('a row replaced after a damaged line of characters of more than one byte is put in its own place; the damaged row is unknown, the others kept', () => {
  const [home, dir] = [tempDir(), tempDir()];
  reopened(home, dir, (c) => ['a', 'b', 'c'].forEach((p, i) => c.record(p, stamp(i), digest(p))));
  const [file] = fs.readdirSync(path.join(home, 'read-state')).map((f) => path.join(home, 'read-state', f));
  const bytes = fs.readFileSync(file!);
  bytes.write('é', bytes.indexOf(`${stamp(0).mtimeNs} `)); // two bytes of a's mtime become one character
  fs.writeFileSync(file!, bytes);
  const patched = reopened(home, dir, (c) => c.record('b', stamp(5), digest('x')));
  expect(patched.rowOf('a')).toBeUndefined();
  expect(patched.rowOf('b')).toEqual({ ...stamp(5), digest: digest('x') });
  expect(patched.rowOf('c')).toEqual({ ...stamp(2), digest: digest('c') });
  expect(fs.readFileSync(file!).includes(Buffer.from('é'))).toBe(true);
});

test('the version placed last keeps the byte count its download gave; without one, or with one that is not a count, its files\' sizes are summed', () => {
  const [home, dir] = [tempDir(), tempDir()];
  const saved = reopened(home, dir, (c) => {
    ['a', 'b'].forEach((p, i) => c.record(p, stamp(i + 3), digest(p)));
    c.markPlaced('root-1', '', ['a', 'b'], 70);
  });
  expect(placedBytes(saved.placedFiles('root-1', '')!)).toBe(70);
  const [file] = fs.readdirSync(path.join(home, 'read-state')).map((f) => path.join(home, 'read-state', f));
  // The same length, so the columns after it stay where they are.
  fs.writeFileSync(file!, fs.readFileSync(file!, 'latin1').replace('"bytes":70', '"bytes":-7'), 'latin1');
  expect(placedBytes(StatCache.open(home, dir).placedFiles('root-1', '')!)).toBe(3 + 4);
  const unsaid = reopened(tempDir(), dir, (c) => {
    ['a', 'b'].forEach((p, i) => c.record(p, stamp(i + 3), digest(p)));
    c.markPlaced('root-1', '', ['a', 'b']);
  });
  expect(placedBytes(unsaid.placedFiles('root-1', '')!)).toBe(7);
});
