// The peers suite's data sets, generated in the same run as the measurements, with each file's expected digest
// (ours: `blake3:`, or `blake3c:` for a file of several chunks, see expected-digest.mjs) and MD5 (DVC, W&B)
// recorded while writing, so every tool's result can be checked file by file.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExpectedDigest, expectedDigest } from './expected-digest.mjs';

const MiB = 1024 * 1024;

function digests(bytes) {
  return { ours: expectedDigest(bytes), md5: createHash('md5').update(bytes).digest('hex') };
}

/** (a) `count` files of `mib` MiB, each of numbered random 4 MiB blocks (no two blocks alike, nothing dedups). */
export function makeLarge(dir, count, mib) {
  fs.mkdirSync(dir, { recursive: true });
  const block = randomBytes(4 * MiB);
  const expected = {};
  for (let f = 0; f < count; f++) {
    const name = `shard-${f}.bin`;
    const fd = fs.openSync(path.join(dir, name), 'w');
    const ours = new ExpectedDigest();
    const md5 = createHash('md5');
    for (let i = 0; i < mib / 4; i++) {
      block.writeUInt32LE(f * 100_000 + i, 0);
      fs.writeSync(fd, block);
      ours.update(block);
      md5.update(block);
    }
    fs.closeSync(fd);
    expected[name] = { size: mib * MiB, ours: ours.digest(), md5: md5.digest('hex') };
  }
  return expected;
}

/** (b), (c) `count` random files of `bytes` bytes, nested two folders deep (100 x 10 folders). */
export function makeMany(dir, count, bytes) {
  const expected = {};
  const pool = randomBytes(bytes * 1024 + 64);
  for (let i = 0; i < count; i++) {
    const rel = manyName(i);
    if (i < 1_000) fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    // A slice of a random pool, stamped with the file's number: unique content without a syscall for randomness.
    const content = Buffer.from(pool.subarray((i * 61) % (pool.length - bytes), ((i * 61) % (pool.length - bytes)) + bytes));
    content.writeUInt32LE(i, 0);
    content.writeUInt32LE(i ^ 0x5a5a5a5a, 4);
    fs.writeFileSync(path.join(dir, rel), content);
    expected[rel] = { size: bytes, ...digests(content) };
  }
  return expected;
}

export function manyName(i) {
  return `d${String(i % 100).padStart(2, '0')}/e${Math.floor(i / 100) % 10}/f${String(i).padStart(6, '0')}.bin`;
}

/**
 * The re-version of (c): 10 files added, 10 changed in place (new bytes, same name), 10 removed. Returns the
 * change (for our draft), the expected manifest after it, and an undo that puts the folder back as it was.
 */
export function mutateMany(dir, expected, count, bytes) {
  const backup = new Map();
  const next = { ...expected };
  const added = [];
  const changed = [];
  const removed = [];
  for (let k = 0; k < 10; k++) {
    const rel = `new/g${k}/added-${k}.bin`;
    const content = randomBytes(bytes);
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
    next[rel] = { size: bytes, ...digests(content) };
    added.push(rel);
  }
  for (let k = 0; k < 10; k++) {
    const rel = manyName((k * 9_973 + 17) % count);
    const content = randomBytes(bytes);
    backup.set(rel, fs.readFileSync(path.join(dir, rel)));
    fs.writeFileSync(path.join(dir, rel), content);
    next[rel] = { size: bytes, ...digests(content) };
    changed.push(rel);
  }
  for (let k = 0; k < 10; k++) {
    const rel = manyName((k * 7_919 + 5_003) % count);
    if (changed.includes(rel)) continue;
    backup.set(rel, fs.readFileSync(path.join(dir, rel)));
    fs.rmSync(path.join(dir, rel));
    delete next[rel];
    removed.push(rel);
  }
  const undo = () => {
    fs.rmSync(path.join(dir, 'new'), { recursive: true, force: true });
    for (const [rel, content] of backup) fs.writeFileSync(path.join(dir, rel), content);
  };
  return { added, changed, removed, expected: next, undo };
}
