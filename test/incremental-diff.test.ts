import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init, type Run } from 'temporal-artifacts';
import { ChunkReader, diffManifests, configFromEnv, Store } from 'temporal-artifacts/internal';
import { cli, isolatedEnv, writeFiles } from './helpers';

const env = isolatedEnv();
Object.assign(process.env, env);

const N = 100_000;
const uri = (i: number): string => `s3://bench-bucket/images/${String(i).padStart(6, '0')}.png`;
const name = (i: number): string => `images/${String(i % 100).padStart(2, '0')}/${String(i).padStart(6, '0')}.png`;

/** Every chunk digest of a tree (test-only full walk). */
async function allChunks(reader: ChunkReader, root: string, into = new Set<string>()): Promise<Set<string>> {
  into.add(root);
  const chunk = await reader.read(root);
  if ('n' in chunk) for (const row of chunk.n) await allChunks(reader, row[4], into);
  return into;
}

describe('diff at 100,000 entries', () => {
  let run: Run;
  const api = new Api();
  beforeAll(async () => {
    run = await init();
  });
  afterAll(async () => {
    await run.finish();
    await api.close();
  });

  test('a diff of two 100,000-entry versions with 20 changes is exact and reads only chunks that differ', async () => {
    const base = new Artifact('big', 'dataset');
    for (let i = 0; i < N; i++) base.addReference(uri(i), { name: name(i), checksum: false });
    const v0 = await run.logArtifact(base);
    expect(v0.fileCount).toBe(N);

    const files = writeFiles(Object.fromEntries(Array.from({ length: 14 }, (_, k) => [`f${k}.png`, `new pixels ${k}`])));
    const draft = (await api.artifact('big:v0')).newDraft();
    const removed: string[] = [];
    const modified: string[] = [];
    const added: string[] = [];
    for (let k = 0; k < 6; k++) removed.push(name(k * 16_661 + 5));
    for (let k = 0; k < 7; k++) modified.push(name(k * 14_281 + 9));
    for (let k = 0; k < 7; k++) added.push(`images/${String(k * 13).padStart(2, '0')}/new-${k}.png`);
    for (const p of removed) draft.remove(p);
    modified.forEach((p, k) => draft.addFile(path.join(files, `f${k}.png`), { name: p }));
    added.forEach((p, k) => draft.addFile(path.join(files, `f${k + 7}.png`), { name: p }));
    const v1 = await draft.save();
    expect(v1.changes).toEqual({ added: 7, removed: 6, modified: 7 });
    expect(v1.fileCount).toBe(N + 1);

    const diff = await v1.diff(await api.artifact('big:v0'));
    const sorted = (list: string[]): string[] => [...list].sort();
    expect(sorted(diff.entries.filter((d) => d.kind === 'added').map((d) => d.path))).toEqual(sorted(added));
    expect(sorted(diff.entries.filter((d) => d.kind === 'removed').map((d) => d.path))).toEqual(sorted(removed));
    expect(sorted(diff.entries.filter((d) => d.kind === 'modified').map((d) => d.path))).toEqual(sorted(modified));
    const addedBytes = added.reduce((n, _, k) => n + `new pixels ${k + 7}`.length, 0);
    expect(diff.summary).toMatchObject({ added: 7, removed: 6, modified: 7, removedBytes: 0, addedBytes });

    // Which chunks the diff read: each must be one the other version does not share.
    const store = await Store.fromConfig(configFromEnv());
    const reader = new ChunkReader(store.blobs);
    for await (const d of diffManifests(reader, v0.record.manifest.root, v1.record.manifest.root)) expect(d.path).toBeTruthy();
    const before = await allChunks(new ChunkReader(store.blobs), v0.record.manifest.root);
    const after = await allChunks(new ChunkReader(store.blobs), v1.record.manifest.root);
    const shared = [...before].filter((c) => after.has(c));
    expect(before.size).toBeGreaterThan(700);
    expect(reader.fetched.filter((c) => shared.includes(c))).toEqual([]);
    expect(reader.fetched.length).toBe(diff.chunksRead);
    // 20 changes, each on a root-to-leaf path of 3 chunks in each tree (plus a neighbour where a cut moved), of ~800.
    expect(reader.fetched.length).toBeLessThanOrEqual(20 * 4 * 2);
    await store.close();

    const printed = cli(['diff', 'big:v0', 'big:v1'], env);
    expect(printed.stdout.split('\n').filter((l) => /^[+~-] /.test(l))).toHaveLength(20);
    expect(printed.stdout).toContain(`- ${removed[0]}  0 B`);
    expect(printed.stdout).toContain(`big:v0 -> big:v1: +7 added (${addedBytes} B), -6 removed (0 B), ~7 modified`);
  });
});
