import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api, Artifact, init, type StageProgress } from 'temporal-artifacts';
import { isolatedEnv, startWorker, tempDir } from './helpers';

const FILES = 1600;
const SIZE = 8 * 1024;
// Reads are capped (which keeps small files on the one-at-a-time path) so the kill lands midway on any machine: ~4 s a log.
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(3 * 1024 * 1024), ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '3000' });
Object.assign(process.env, env);

const rel = (i: number): string => `shard-${String(i % 16).padStart(2, '0')}/item-${String(i).padStart(5, '0')}.bin`;

function writeFolder(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    fs.mkdirSync(path.join(dir, path.dirname(rel(i))), { recursive: true });
    fs.writeFileSync(path.join(dir, rel(i)), Buffer.alloc(SIZE, `${i}:`));
  }
}

test('kill -9 of the worker while a folder is staged: the new worker resumes after the heartbeat\'s path cursor, never reading the files before it', async () => {
  const dir = tempDir();
  writeFolder(dir);
  const first = await startWorker(env);
  const run = await init({ worker: false });
  // The same folder logged whole first, under another name: the version digest a resumed staging must reach.
  const reference = await run.logArtifact(new Artifact('reference', 'dataset').addDir(dir));

  let killedAt: StageProgress | undefined;
  let restarted: ReturnType<typeof startWorker> | undefined;
  const logged = run.logArtifact(new Artifact('corpus', 'dataset').addDir(dir), {
    onProgress: (p) => {
      if (killedAt || !p.cursor || p.filesDone < FILES * 0.25) return;
      killedAt = p;
      first.kill('SIGKILL');
      // Proof that the resumed attempt reads nothing up to the cursor: those files are gone before it starts.
      for (let i = 0; i < FILES; i++) if (rel(i) <= p.cursor.path) fs.rmSync(path.join(dir, rel(i)));
      restarted = startWorker(env);
    },
  });
  const v = await logged;
  (await restarted!).kill('SIGTERM');
  await run.finish();

  expect(first.signalCode).toBe('SIGKILL');
  // The checkpoint is a cursor, the same size at any file count: no list of finished files.
  expect(killedAt!.cursor!.path).toMatch(/^shard-\d\d\/item-\d{5}\.bin$/);
  expect(killedAt!.done ?? []).toEqual([]);
  expect(JSON.stringify(killedAt).length).toBeLessThan(1000);
  expect(v.digest).toBe(reference.digest);
  // What lay up to the cursor was taken over, not read again (its sources are gone).
  const upToCursor = Array.from({ length: FILES }, (_, i) => rel(i)).filter((r) => r <= killedAt!.cursor!.path).length;
  expect(upToCursor).toBeGreaterThan(0);
  expect(v.stage.resumedBytes).toBeGreaterThanOrEqual(upToCursor * SIZE);
  const api = new Api({ env });
  const version = await api.artifact('corpus:v0');
  expect(version.fileCount).toBe(FILES);
  expect((await version.verify()).ok).toBe(true);
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
