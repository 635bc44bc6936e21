import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, type Run } from 'temporal-artifacts';
import { Store, configFromEnv } from 'temporal-artifacts/internal';
import { freshPostgresDb, freshS3Url, removeTestPrefixes, s3Env } from './contract/services';
import { cli, isolatedEnv, startWorker, waitFor, writeFiles, b3 } from './helpers';

/** Where the same behaviour is shown: registry and blob store as the embedded default, on PostgreSQL, and on PostgreSQL with S3. */
const BACKENDS = [
  { label: 'SQLite and a local store', setup: async () => ({ env: {}, drop: async () => undefined }) },
  { label: 'PostgreSQL and a local store', setup: async () => {
    const db = await freshPostgresDb();
    return { env: { ARTIFACTS_REGISTRY: db.url }, drop: db.drop };
  } },
  { label: 'PostgreSQL and S3', setup: async () => {
    const db = await freshPostgresDb();
    return { env: { ...s3Env, ARTIFACTS_REGISTRY: db.url, ARTIFACTS_STORE: await freshS3Url() }, drop: db.drop };
  } },
];

const sha = b3;
const file = (name: string, content: string): string => path.join(writeFiles({ [name]: content }), name);

describe.each(BACKENDS)('the life of a version on $label', ({ setup }) => {
  let env: ReturnType<typeof isolatedEnv>;
  let drop: () => Promise<void>;
  let run: Run;
  let api: Api;
  let store: Store;
  beforeAll(async () => {
    const backend = await setup();
    env = isolatedEnv(backend.env);
    drop = backend.drop;
    Object.assign(process.env, env);
    run = await init();
    api = new Api({ env });
    store = await Store.fromConfig(configFromEnv(env));
  });
  afterAll(async () => {
    await run.finish();
    await api.close();
    await store.close();
    await drop();
    await removeTestPrefixes();
  });
  const log = (name: string, content: string, options: { aliases?: string[]; ttl?: string } = {}) =>
    run.logArtifact(new Artifact(name, 'dataset').addFile(file('data.txt', content)), options);

  test('delete: the ref then fails saying when and by whom, latest moves back, custom aliases need --force, lineage keeps a tombstone', async () => {
    await log('images', 'images v0', { aliases: ['best'] });
    await log('images', 'images v1');
    const draft = (await api.artifact('images:v1')).newDraft().addFile(file('extra.txt', 'extra'));
    expect(await run.logArtifact(draft)).toMatchObject({ version: 'v2', basedOn: 'v1' });

    const deleted = cli(['delete', 'images:v2'], env);
    expect(deleted.stderr).toBe('');
    expect(deleted.stdout).toContain('deleted images:v2');
    const shown = cli(['show', 'images:v2'], env);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/^error: Artifact "images:v2" not found\. images:v2 was deleted at \d{4}-\d\d-\d\dT[\d:.]+Z by \S+@\S+; /);
    expect((await api.artifact('images')).version).toBe('v1');

    const refused = cli(['delete', 'images:best'], env);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toContain('"images" would lose its aliases best (v0)');
    expect((await api.artifact('images:v0')).aliases).toEqual(['best']);
    await (await api.artifact('images:v1')).delete();
    expect(await api.artifact('images:best')).toMatchObject({ version: 'v0', aliases: ['latest', 'best'] });
    expect(await (await api.artifact('images:v0')).lineage()).toMatchObject({ derived: [] });
    expect(cli(['lineage', 'images:v0'], env).stdout).not.toContain('deleted:');

    expect(cli(['delete', 'images', '--force'], env).stdout).toContain('deleted images:v0');
    await expect(api.artifact('images')).rejects.toThrow(/Every version of "images" was deleted; the last, images:v2 was deleted at .* by /);
    expect((await api.artifacts()).map((a) => a.name)).not.toContain('images');
    // Numbers are never given twice: a new version after the deletes is v3.
    expect(await log('images', 'images again')).toMatchObject({ version: 'v3', aliases: ['latest'] });
  });

  test('lineage of a kept version names a deleted input as a tombstone', async () => {
    await log('lineage-src', 'lineage v0');
    const base = await log('lineage-src', 'lineage v1');
    const derived = await run.logArtifact((await api.artifact(base.ref)).newDraft().addFile(file('more.txt', 'more')));
    await (await api.artifact(base.ref)).delete();
    const lineage = await (await api.artifact(derived.ref)).lineage();
    expect(lineage).toMatchObject({ base: 'lineage-src:v1', deleted: ['lineage-src:v1'] });
  });

  test('a draft of a version deleted before it is saved is refused, naming the deletion', async () => {
    const base = await log('draft-base', 'draft base');
    const draft = (await api.artifact(base.ref)).newDraft().addFile(file('late.txt', 'late'));
    await (await api.artifact(base.ref)).delete();
    await expect(run.logArtifact(draft)).rejects.toThrow(/A draft of it cannot be saved: draft-base:v0 was deleted at .* by /);
  });

  test('gc frees the blobs of a deleted version and keeps those a remaining version or an open draft still needs', async () => {
    const [gone, shared, drafted] = ['only in the deleted version', 'in both versions', 'in the deleted version and an open draft'];
    const distributedId = `life-${Date.now()}`;
    await run.logArtifact(new Artifact('collectable', 'dataset').addFile(file('gone.txt', gone)).addFile(file('shared.txt', shared)).addFile(file('drafted.txt', drafted)));
    await run.logArtifact(new Artifact('collectable', 'dataset').addFile(file('shared.txt', shared)));
    // Older than the grace period before the draft opens, so only the draft (a running write) can keep them.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await run.upsertArtifact(new Artifact('open-draft', 'dataset').addFile(file('drafted.txt', drafted)), { distributedId });
    await (await api.artifact('collectable:v0')).delete();
    const gc = async (): Promise<{ deleted: number; deferred: boolean }> => JSON.parse(cli(['gc', '--grace', '2s', '--json'], env).stdout);
    const whileOpen = await gc();
    // A local store records reuse, so it is swept around the open draft; an object store cannot, so it waits for the draft.
    expect(await store.blobs.has(sha(gone))).toBe(whileOpen.deferred);
    expect(await store.blobs.has(sha(drafted))).toBe(true);
    const finished = await run.finishArtifact(new Artifact('open-draft', 'dataset'), { distributedId });
    expect(await gc()).toMatchObject({ deferred: false });
    expect(await store.blobs.has(sha(gone))).toBe(false);
    expect(await store.blobs.has(sha(shared))).toBe(true);
    expect(await store.blobs.has(sha(drafted))).toBe(true);
    expect((await (await api.artifact('collectable')).verify()).ok).toBe(true);
    expect((await finished.verify()).ok).toBe(true);
  });

  test('TTLs and retention: gc deletes expired versions (sparing aliased ones) and what a retention rule drops', async () => {
    await log('short-lived', 'expires soon', { ttl: '1s' });
    await log('short-lived-aliased', 'expires but aliased', { ttl: '1s', aliases: ['keep-me'] });
    await api.setDefaultTtl('scratch', '1s');
    const scratch = await run.logArtifact(new Artifact('scratch-output', 'scratch').addFile(file('s.txt', 'scratch')));
    expect(scratch.expiresAt).not.toBeNull();
    for (const i of [0, 1, 2, 3]) await log('kept-few', `kept-few v${i}`, { aliases: i === 0 ? ['first'] : [] });
    await api.setRetention('kept-few', { keep: { last: 2, aliased: true } });
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const gc = cli(['gc', '--grace', '1h'], env);
    expect(gc.stderr).toBe('');
    expect(gc.stdout).toContain('deleted 2 versions past their TTL: scratch-output:v0, short-lived:v0');
    expect(gc.stdout).toContain('deleted 1 version beyond their retention rule: kept-few:v1');
    expect(gc.stdout).toContain('kept short-lived-aliased:v0 past their TTL');
    await expect(api.artifact('short-lived:v0')).rejects.toThrow(/deleted at .* by gc \(TTL expired\)/);
    await expect(api.artifact('kept-few:v1')).rejects.toThrow(/by gc \(retention rule\)/);
    expect((await api.versions('kept-few')).map((v) => v.version)).toEqual(['v0', 'v2', 'v3']);
  });
});

describe.each(BACKENDS)('the gc schedule on $label', ({ setup }) => {
  // Taken before the blocks above run: their set-up points process.env at databases dropped after them.
  const clean = isolatedEnv();
  test('`artifacts gc --schedule` installs a Temporal Schedule that a worker runs: an expired version is deleted with no command run', async () => {
    const backend = await setup();
    const env = { ...clean, ...backend.env };
    const worker = await startWorker(env);
    try {
      const logged = cli(['log', file('t.txt', 'scheduled expiry'), '--name', 'ephemeral', '--type', 'dataset', '--ttl', '1s'], env);
      expect(logged.stdout).toContain('created ephemeral:v0');
      const scheduled = cli(['gc', '--schedule', '2s', '--grace', '1h'], env);
      expect(scheduled.stderr).toBe('');
      expect(scheduled.stdout).toMatch(/^gc runs every 2s on this host \(schedule artifacts-gc\//);
      await waitFor(() => (cli(['show', 'ephemeral:v0'], env).stderr.includes('by gc (TTL expired)') ? true : undefined), 60_000, 'the scheduled gc to delete ephemeral:v0');
    } finally {
      expect(cli(['gc', '--schedule', 'off'], env).stdout).toContain('removed the gc schedule');
      worker.kill('SIGTERM');
      await backend.drop();
    }
  });
});
