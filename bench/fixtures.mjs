// The files the benchmarks log: large files of random 4 MiB blocks (each block numbered, so no two are alike)
// and many small random files spread over 100 folders.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MiB = 1024 * 1024;

export function makeLarge(dir, count, mib) {
  fs.mkdirSync(dir, { recursive: true });
  const block = randomBytes(4 * MiB);
  for (let f = 0; f < count; f++) {
    const fd = fs.openSync(path.join(dir, `shard-${f}.bin`), 'w');
    for (let i = 0; i < mib / 4; i++) {
      block.writeUInt32LE(f * 1000 + i, 0);
      fs.writeSync(fd, block);
    }
    fs.closeSync(fd);
  }
}

export function makeSmall(dir, count, bytes = 4096) {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${i}.bin`), randomBytes(bytes));
  }
}
