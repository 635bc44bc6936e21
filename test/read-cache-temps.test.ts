import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ReadCache } from 'temporal-artifacts/internal';
import { b3, blobFile, tempDir } from './helpers';

test('the read cache clears temp files a killed writer left (over an hour old), and keeps a live writer\'s', async () => {
  const root = tempDir('artifacts-cache-');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const killed = path.join(tmp, 'left-by-a-killed-writer');
  const live = path.join(tmp, 'being-written-now');
  fs.writeFileSync(killed, randomBytes(1000));
  fs.writeFileSync(live, randomBytes(1000));
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  fs.utimesSync(killed, twoHoursAgo, twoHoursAgo);

  const bytes = randomBytes(5000);
  await new ReadCache(root, 1 << 30).putChecked(b3(bytes), bytes);

  expect(fs.readdirSync(tmp)).toEqual(['being-written-now']);
  expect(fs.readFileSync(blobFile(root, b3(bytes)))).toEqual(bytes);
});
