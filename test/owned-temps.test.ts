import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { LocalBlobStore, ownedTempName } from 'temporal-artifacts/internal';
import { tempDir } from './helpers';

/** The pid of a process that has ended (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a blob store opening removes the chunk temp files of logs killed on this host, and keeps live ones and whole-file ones (resumable)', () => {
  const root = tempDir('artifacts-blobs-');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const live = ownedTempName('chunk-');
  const dead = live.replace(`-${process.pid}-`, `-${deadPid()}-`);
  const resumable = 'a5b1c1f0-0000-4000-8000-000000000000';
  for (const name of [live, dead, resumable]) fs.writeFileSync(path.join(tmp, name), 'part of a chunk');

  new LocalBlobStore(root);

  expect(fs.readdirSync(tmp).sort()).toEqual([live, resumable].sort());
});
