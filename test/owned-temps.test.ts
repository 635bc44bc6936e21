import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { LocalBlobStore, ownedTempName } from 'temporal-artifacts/internal';
import { deadPid, tempDir } from './helpers';

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
