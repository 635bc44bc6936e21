import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Store } from 'temporal-artifacts/internal';
import { tempDir } from './helpers';

/** Another process holding a read transaction open on the new registry file for `ms`. */
async function holdLock(file: string, ms: number): Promise<Promise<number | null>> {
  const holder = spawn(process.execPath, ['-e', `
    const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
    db.exec('CREATE TABLE held (x)');
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM held').get();
    console.log('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
    db.exec('COMMIT');
  `], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`the lock holder exited with ${code} before locking`)));
  });
  return new Promise((resolve) => holder.once('exit', resolve));
}

test('opening the registry while another process holds a transaction open on the new file waits for it and then opens', async () => {
  const home = tempDir();
  const holderExit = await holdLock(path.join(home, 'registry.db'), 400);
  const store = await Store.fromConfig({ home });
  expect(await holderExit).toBe(0);
  expect(await store.registry.artifacts()).toEqual([]);
  await store.close();
});
