import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, runGc, type Run } from 'temporal-artifacts';
import { collectGarbage, LocalBlobStore, configFromEnv, Store, writeManifest } from 'temporal-artifacts/internal';
import { cli, isolatedEnv, waitFor, writeFiles, b3 } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

const DAY = 86_400_000;

describe('garbage collection', () => {
  let run: Run;
  let store: Store;
  let blobs: LocalBlobStore;
  const api = new Api();
  beforeAll(async () => {
    run = await init();
    store = await Store.fromConfig(configFromEnv());
    blobs = store.blobs as LocalBlobStore;
  });
  afterAll(async () => {
    await run.finish();
    await store.close();
    await api.close();
  });

  /** Makes every blob in the store look two days old, so only references (not the grace period) can save them. */
  async function ageEverything(): Promise<void> {
    const old = new Date(Date.now() - 2 * DAY);
    for await (const d of blobs.list()) fs.utimesSync(blobs.pathOf(d), old, old);
  }

  test('gc deletes what nothing needs and keeps every committed version, young uploads, and a blob an upload reuses while gc runs', async () => {
    const dir = writeFiles({ 'a.txt': 'alpha', 'b.txt': 'beta', 'sub/c.txt': 'gamma' });
    const v0 = await run.logArtifact(new Artifact('collected', 'dataset').addDir(dir));
    const more = writeFiles({ 'd.txt': 'delta' });
    expect(v0.version).toBe('v0');
    const v1 = await (await api.artifact('collected:v0')).newDraft().remove('a.txt').addFile(path.join(more, 'd.txt')).save();
    const orphan = await blobs.putBytes(Buffer.from('staged by a run that crashed before committing'));
    const reusedLater = await blobs.putBytes(Buffer.from('content an upload will bring again'));
    await ageEverything();
    const young = await blobs.putBytes(Buffer.from('staged a moment ago by a run still uploading'));

    const upload = writeFiles({ 'again.txt': 'content an upload will bring again' });
    const candidates: string[] = [];
    const report = await collectGarbage(store, {
      graceMs: 60 * 60_000,
      // The worst moment for an upload to reuse a blob: after gc decided to delete it, before the delete.
      onCandidate: async (digest) => {
        candidates.push(digest);
        if (digest === reusedLater) await run.logArtifact(new Artifact('uploaded-during-gc', 'dataset').addFile(path.join(upload, 'again.txt')));
      },
    });
    expect(candidates).toContain(orphan);
    expect(candidates).toContain(reusedLater);
    expect(report.rescued).toBe(1);
    expect(await blobs.has(orphan)).toBe(false);
    expect(await blobs.has(young)).toBe(true);
    expect(await blobs.has(reusedLater)).toBe(true);
    expect(report.young).toBeGreaterThanOrEqual(1);
    expect(report.deleted).toBeGreaterThanOrEqual(1);
    for (const ref of ['collected:v0', 'collected:v1', 'uploaded-during-gc:v0']) {
      const report = await (await api.artifact(ref)).verify();
      expect(report, ref).toMatchObject({ ok: true });
    }
    expect(v1.version).toBe('v1');
    // a.txt is only in v0, which still needs it.
    const out = writeFiles({});
    await (await api.artifact('collected:v0')).download(out);
    expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('alpha');
  });

  test('a kept root (a live draft\'s manifest) keeps its chunks and files; a dry run deletes nothing', async () => {
    const dir = writeFiles({ 'draft-only.txt': 'only a live draft refers to me' });
    const staged = await blobs.ingestFile(path.join(dir, 'draft-only.txt'));
    const draftManifest = await writeManifest(blobs, [{ path: 'draft-only.txt', digest: staged.digest, size: staged.size }]);
    await ageEverything();
    const dry = await collectGarbage(store, { graceMs: 60_000, dryRun: true });
    expect(dry.deleted).toBeGreaterThanOrEqual(2);
    expect(await blobs.has(staged.digest)).toBe(true);
    const kept = await collectGarbage(store, { graceMs: 60_000, keepRoots: [draftManifest.root] });
    expect(await blobs.has(staged.digest)).toBe(true);
    expect(await blobs.has(draftManifest.root)).toBe(true);
    expect(kept.deleted).toBeGreaterThanOrEqual(0);
    const gone = await collectGarbage(store, { graceMs: 60_000 });
    expect(gone.deleted).toBeGreaterThanOrEqual(2);
    expect(await blobs.has(staged.digest)).toBe(false);
  });

  test('gc keeps what an open collaborative draft staged, however old, while the draft is open: nothing written since (or within the grace period before) the oldest running write goes', async () => {
    const dir = writeFiles({ 'shard-0.json': '{"predictions":[1,2,3]}' });
    await run.upsertArtifact(new Artifact('predictions-in-progress', 'predictions').addFile(path.join(dir, 'shard-0.json')), { distributedId: 'eval-gc' });
    const staged = b3('{"predictions":[1,2,3]}');
    const orphan = await blobs.putBytes(Buffer.from('old garbage from before the draft opened'));
    fs.utimesSync(blobs.pathOf(orphan), new Date(Date.now() - DAY), new Date(Date.now() - DAY));
    // The draft's workflow must be visible to gc's listing before gc can count it as a running write.
    await waitFor(async () => ((await runGc({ graceMs: 1000, dryRun: true })).runningWrites > 0 ? true : undefined), 20_000, 'the open draft in the visibility listing');
    // Let the staged blob grow older than the grace period: only the running draft can keep it now.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const report = await runGc({ graceMs: 1000 });
    expect(report.runningWrites).toBeGreaterThanOrEqual(1);
    expect(report.oldestRunningWrite).not.toBeNull();
    expect(await blobs.has(staged)).toBe(true);
    expect(await blobs.has(orphan)).toBe(false);
    const v = await run.finishArtifact(new Artifact('predictions-in-progress', 'predictions'), { distributedId: 'eval-gc' });
    expect((await v.files()).map((f) => f.digest)).toEqual([staged]);
    expect((await v.verify()).ok).toBe(true);
  });

  test('`artifacts gc` reports what it deleted and kept, and leaves every version verifiable', async () => {
    await blobs.putBytes(Buffer.from('one more orphan'));
    await ageEverything();
    const dry = cli(['gc', '--grace', '1h', '--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/^would delete [1-9]\d* of \d+ blobs\n/);
    const real = cli(['gc', '--grace', '1h'], env);
    expect(real.stdout).toMatch(/^deleted [1-9]\d* of \d+ blobs, freed /);
    expect(real.stdout).toMatch(/kept \d+ referenced by versions/);
    expect(cli(['verify', 'collected:v1'], env).code).toBe(0);
    expect(cli(['gc', '--grace', 'soon'], env).stderr).toContain('--grace "soon" is not a duration; write 30m, 24h or 7d.');
  });
});
