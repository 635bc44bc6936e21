import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ReadCache, ownedTempName } from 'temporal-artifacts/internal';
import { b3, blobFile, deadPid, tempDir } from './helpers';

test('the read cache clears the temp files of writers killed on this host, and keeps a live writer\'s', async () => {
  const root = tempDir('artifacts-cache-');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const live = ownedTempName('entry-');
  const killed = live.replace(`-${process.pid}-`, `-${deadPid()}-`);
  fs.writeFileSync(path.join(tmp, killed), randomBytes(1000));
  fs.writeFileSync(path.join(tmp, live), randomBytes(1000));

  const bytes = randomBytes(5000);
  await new ReadCache(root, 1 << 30).putChecked(b3(bytes), bytes);

  expect(fs.readdirSync(tmp)).toEqual([live]);
  expect(fs.readFileSync(blobFile(root, b3(bytes)))).toEqual(bytes);
});
