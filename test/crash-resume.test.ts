import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api, Artifact, init, type StageProgress } from 'temporal-artifacts';
import { isolatedEnv, startWorker, tempDir } from './helpers';

const SIZE = 400 * 1024 * 1024;
// Uploads are capped so the kill lands mid-file on any machine; ~7 s for the whole file.
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(60 * 1024 * 1024), ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '3000' });
Object.assign(process.env, env);

function writeLargeFile(file: string): void {
  const block = randomBytes(1024 * 1024);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < SIZE / block.length; i++) {
    block.writeUInt32LE(i, 0);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
}

test('kill -9 of the worker mid-upload: a new worker resumes, uploads less than the whole, and commits exactly one version', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'model.bin');
  writeLargeFile(file);

  const first = await startWorker(env);
  const run = await init({ worker: false });
  let killedAt: StageProgress | undefined;
  let restarted: ReturnType<typeof startWorker> | undefined;
  const logged = run.logArtifact(new Artifact('large-model', 'model').addFile(file), {
    onProgress: (p) => {
      if (!killedAt && p.bytesDone > SIZE * 0.3 && p.checkpoints?.length) {
        killedAt = p;
        first.kill('SIGKILL');
        restarted = startWorker(env);
      }
    },
  });
  const v = await logged;
  const second = await restarted!;
  second.kill('SIGTERM');
  await run.finish();

  expect(killedAt).toBeDefined();
  expect(first.signalCode).toBe('SIGKILL');
  expect(v.version).toBe('v0');
  expect(v.stage.resumedBytes).toBeGreaterThan(SIZE * 0.2);
  expect(v.stage.bytesWritten).toBeLessThan(SIZE * 0.8);
  expect(v.stage.bytesWritten + v.stage.resumedBytes).toBe(SIZE);

  const api = new Api({ env });
  expect((await api.versions('large-model')).map((x) => x.version)).toEqual(['v0']);
  const report = await (await api.artifact('large-model:v0')).verify();
  expect(report).toMatchObject({ ok: true, checked: 1 });
  await api.close();
  expect(fs.readdirSync(path.join(env.ARTIFACTS_HOME, 'blobs', 'tmp'))).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});
