import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api, Artifact, init, type StageProgress } from 'temporal-artifacts';
import { isolatedEnv, startWorker, tempDir, writeFiles, writeUniqueFile } from './helpers';

const SIZE = 160 * 1024 * 1024;
// Uploads are capped so the kill lands mid-file on any machine; ~4 s for the whole file.
const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: String(40 * 1024 * 1024), ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '3000' });
Object.assign(process.env, env);

test('kill -9 of the worker while a draft stages its added file: a new worker resumes it and the draft commits exactly one version on its base', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'weights.bin');
  writeUniqueFile(file, SIZE);

  const first = await startWorker(env);
  const run = await init({ worker: false });
  const api = new Api({ env });
  await run.logArtifact(new Artifact('checkpointed', 'model').addDir(writeFiles({ 'config.json': '{}', 'old.bin': 'old weights' })));
  const draft = (await api.artifact('checkpointed:latest')).newDraft().addFile(file).remove('old.bin');
  let killedAt: StageProgress | undefined;
  let restarted: ReturnType<typeof startWorker> | undefined;
  const v = await run.logArtifact(draft, {
    onProgress: (p) => {
      if (!killedAt && p.bytesDone > SIZE * 0.3 && p.checkpoints?.length) {
        killedAt = p;
        first.kill('SIGKILL');
        restarted = startWorker(env);
      }
    },
  });
  (await restarted!).kill('SIGTERM');
  await run.finish();

  expect(killedAt).toBeDefined();
  expect(first.signalCode).toBe('SIGKILL');
  expect(v).toMatchObject({ version: 'v1', basedOn: 'v0', changes: { added: 1, removed: 1, modified: 0 } });
  expect(v.stage.resumedBytes).toBeGreaterThan(SIZE * 0.2);
  expect(v.stage.bytesWritten + v.stage.resumedBytes).toBe(SIZE);
  expect((await api.versions('checkpointed')).map((x) => x.version)).toEqual(['v0', 'v1']);
  expect((await (await api.artifact('checkpointed:v1')).files()).map((f) => f.path)).toEqual(['config.json', 'weights.bin']);
  expect(await (await api.artifact('checkpointed:v1')).verify()).toMatchObject({ ok: true, checked: 2 });
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
