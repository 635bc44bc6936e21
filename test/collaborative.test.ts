import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, DraftCommittedError, DraftConflictError, UsageError, init, type DraftResult, type DraftStatus, type Run } from 'temporal-artifacts';
import { draftWorkflowId } from 'temporal-artifacts/internal';
import { CLI, ROOT, isolatedEnv, startWorker, tempDir, writeFiles, type CliResult } from './helpers';

Object.assign(process.env, isolatedEnv());

const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Runs a Node entry point as its own OS process, without blocking this one (its in-process workers keep serving). */
function spawnNode(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const example = (file: string, env: NodeJS.ProcessEnv) => spawnNode([path.join(ROOT, 'examples', 'collaborative', file)], env);
const cli = (args: string[], env: NodeJS.ProcessEnv) => spawnNode([CLI, ...args], env);

function fileArtifact(name: string, files: Record<string, string>): Artifact {
  const dir = writeFiles(files);
  const artifact = new Artifact(name, 'predictions');
  for (const rel of Object.keys(files)) artifact.addFile(path.join(dir, rel), { name: rel });
  return artifact;
}

describe('collaborative mode', () => {
  let a: Run;
  let b: Run;
  let client: Client;
  let connection: Connection;
  const api = new Api();
  beforeAll(async () => {
    [a, b] = await Promise.all([init({ id: 'writer-a' }), init({ id: 'writer-b' })]);
    connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await Promise.all([a.finish(), b.finish()]);
    await connection.close();
    await api.close();
  });

  const draftOf = (name: string, distributedId: string) => client.workflow.getHandle(draftWorkflowId(name, distributedId));

  test('the three documented runs, as three separate processes, make one version holding image1, image2 and image3', async () => {
    const env = { ...process.env, IMAGE_DIR: tempDir(), DISTRIBUTED_ID: unique('my_dist_artifact') };
    const [run1, run2] = await Promise.all([example('run-1-upsert.mjs', env), example('run-2-upsert.mjs', env)]);
    expect(run1.stderr).toBe('');
    expect(run1.stdout).toContain('run 1: merged 1 file into artifact-draft/artifact_name/');
    expect(run2.stdout).toContain('run 2: merged 1 file');
    const run3 = await example('run-3-finish.mjs', env);
    expect(run3.stderr).toBe('');
    expect(run3.stdout).toContain('run 3: committed artifact_name:v0');
    const version = await api.artifact('artifact_name:latest');
    expect((await version.files()).map((f) => f.path)).toEqual(['image1.png', 'image2.png', 'image3.png']);
    expect(version.producer?.workflowId).toBe(draftWorkflowId('artifact_name', env.DISTRIBUTED_ID));
  });

  test('two writers with different bytes at one path: the second hears a DraftConflictError naming both writers and the path', async () => {
    const id = unique('conflict');
    await a.upsertArtifact(fileArtifact('conflicted', { 'preds/part-0.json': 'a', 'shared.txt': 'same' }), { distributedId: id });
    const refused = b.upsertArtifact(fileArtifact('conflicted', { 'preds/part-1.json': 'b', 'preds/part-0.json': 'not a' }), { distributedId: id });
    await expect(refused).rejects.toBeInstanceOf(DraftConflictError);
    await expect(refused).rejects.toMatchObject({
      details: { path: 'preds/part-0.json', writer: 'writer-b', otherWriter: 'writer-a', artifactName: 'conflicted', distributedId: id },
    });
    await expect(refused).rejects.toThrow(/writer "writer-b" upserted "preds\/part-0.json" with digest blake3:[0-9a-f]{12}, but writer "writer-a" already added it with digest blake3:[0-9a-f]{12}\./);
    // Same path with the same bytes from another writer is fine; nothing of the refused upsert was merged.
    const same = await b.upsertArtifact(fileArtifact('conflicted', { 'shared.txt': 'same', 'preds/part-1.json': 'b' }), { distributedId: id });
    expect(same.status).toBe('merged');
    const v = await a.finishArtifact(new Artifact('conflicted', 'predictions'), { distributedId: id });
    expect((await v.files()).map((f) => f.path)).toEqual(['preds/part-0.json', 'preds/part-1.json', 'shared.txt']);
  });

  test('a retried upsert from the same writer, even from a new process, is idempotent', async () => {
    const id = unique('retry');
    const dir = writeFiles({ 'x.txt': 'x' });
    const upsert = (run: Run) => run.upsertArtifact(new Artifact('retried', 'dataset').addDir(dir), { distributedId: id });
    expect((await upsert(a)).status).toBe('merged');
    expect((await upsert(a)).status).toBe('duplicate');
    const again = await init({ id: 'writer-a' });
    try {
      expect((await upsert(again)).status).toBe('duplicate');
      // The new process reuses the first one's upsert workflow id; different content is still merged.
      const other = await again.upsertArtifact(new Artifact('retried', 'dataset').addFile(path.join(writeFiles({ 'y.txt': 'y' }), 'y.txt')), { distributedId: id });
      expect(other.status).toBe('merged');
    } finally {
      await again.finish();
    }
    // The runs' workers closed once idle; a query needs one to answer.
    const worker = await startWorker(process.env);
    try {
      const status = await draftOf('retried', id).query<DraftStatus>('status');
      expect(status).toMatchObject({ writers: 1, contributions: 2, files: 2, state: 'open' });
    } finally {
      worker.kill();
    }
  });

  test('after the commit, an upsert is refused naming the version and a second finish returns the same version', async () => {
    const id = unique('late');
    await a.upsertArtifact(fileArtifact('late', { 'one.txt': '1' }), { distributedId: id });
    const first = await b.finishArtifact(fileArtifact('late', { 'two.txt': '2' }), { distributedId: id, aliases: ['collab'] });
    expect(first).toMatchObject({ version: 'v0', created: true, fileCount: 2 });
    expect(first.aliases).toEqual(['latest', 'collab']);

    const late = a.upsertArtifact(fileArtifact('late', { 'three.txt': '3' }), { distributedId: id });
    await expect(late).rejects.toBeInstanceOf(DraftCommittedError);
    await expect(late).rejects.toThrow('Draft "late" (distributedId "' + id + '") was already committed as late:v0; writer "writer-a" cannot add to it.');
    const second = await a.finishArtifact(new Artifact('late', 'predictions'), { distributedId: id });
    expect(second).toMatchObject({ version: 'v0', created: false, digest: first.digest });

    // Once the draft workflow has closed, a new one finds the commit in the registry and answers the same way.
    const result = await draftOf('late', id).result() as DraftResult;
    expect(result).toMatchObject({ status: 'committed', message: 'Draft committed as late:v0 (2 files).' });
    expect((await b.finishArtifact(fileArtifact('late', { 'two.txt': '2' }), { distributedId: id })).version).toBe('v0');
    await expect(b.finishArtifact(fileArtifact('late', { 'four.txt': '4' }), { distributedId: id })).rejects.toThrow('was already committed as late:v0');
    await expect(a.upsertArtifact(fileArtifact('late', { 'one.txt': '1' }), { distributedId: id })).rejects.toBeInstanceOf(DraftCommittedError);
    expect((await api.versions('late')).length).toBe(1);
  });

  test('a draft nobody finishes expires after its configured time and says so in its result', async () => {
    const id = unique('expiring');
    await a.upsertArtifact(fileArtifact('expiring', { 'a.txt': 'a' }), { distributedId: id, draft: { expiresAfterMs: 1500 } });
    const result = await draftOf('expiring', id).result() as DraftResult;
    expect(result).toMatchObject({ status: 'expired', name: 'expiring', distributedId: id, writers: 1, files: 1 });
    expect(result.message).toMatch(new RegExp(`^Draft "expiring" \\(distributedId "${id}"\\) expired at .* without a finish: 1 writers had added 1 files, which were not committed`));
    await expect(api.artifact('expiring')).rejects.toThrow('No artifact is named "expiring"');
  });

  test('the draft continues as new under a low threshold and keeps every contribution and its dedupe', async () => {
    const id = unique('can');
    const draft = { continueAsNewAfterUpdates: 3 };
    const writers = await Promise.all(Array.from({ length: 4 }, (_, i) => init({ id: `can-writer-${i}` })));
    try {
      for (const [i, w] of writers.entries()) await w.upsertArtifact(fileArtifact('continued', { [`part-${i}.txt`]: `p${i}` }), { distributedId: id, draft });
      await writers[0]!.upsertArtifact(fileArtifact('continued', { 'part-4.txt': 'p4' }), { distributedId: id, draft });
      const status = await draftOf('continued', id).query<DraftStatus>('status');
      expect(status.generation).toBeGreaterThanOrEqual(1);
      expect(status).toMatchObject({ writers: 4, contributions: 5, files: 5 });
      expect((await writers[1]!.upsertArtifact(fileArtifact('continued', { 'part-1.txt': 'p1' }), { distributedId: id })).status).toBe('duplicate');
      const v = await writers[2]!.finishArtifact(new Artifact('continued', 'predictions'), { distributedId: id });
      expect((await v.files()).map((f) => f.path)).toEqual(['part-0.txt', 'part-1.txt', 'part-2.txt', 'part-3.txt', 'part-4.txt']);
    } finally {
      await Promise.all(writers.map((w) => w.finish()));
    }
  });

  test('distributedId defaults to the run group; with neither, upsert is a usage error before anything starts', async () => {
    const group = unique('group');
    const grouped = await init({ group });
    try {
      const r = await grouped.upsertArtifact(fileArtifact('grouped', { 'g.txt': 'g' }));
      expect(r).toMatchObject({ distributedId: group, draftId: `artifact-draft/grouped/${group}`, status: 'merged' });
    } finally {
      await grouped.finish();
    }
    const call = a.upsertArtifact(fileArtifact('grouped', { 'g.txt': 'g' }));
    await expect(call).rejects.toBeInstanceOf(UsageError);
    await expect(call).rejects.toThrow('upsertArtifact("grouped"): no distributedId. Pass { distributedId: \'...\' }, or init({ group: \'...\' })');
  });

  /** A folder holding `files` and a symlink to a file outside it, which staging must skip and report. */
  const folderWithLinkOut = (files: Record<string, string>): { dir: string; skipped: { local: string; reason: string } } => {
    const outside = writeFiles({ 'secret.txt': 'outside' });
    const dir = writeFiles(files);
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link-out.txt'));
    return { dir, skipped: { local: path.join(fs.realpathSync(dir), 'link-out.txt'), reason: `symlink points outside ${dir}` } };
  };

  test('a symlink out of an added folder is skipped and reported by upsert and by finish, as log reports it', async () => {
    const name = unique('linked-collab');
    const distributedId = unique('links');
    const first = folderWithLinkOut({ 'a.txt': 'aaa' });
    const upserted = await a.upsertArtifact(new Artifact(name, 'predictions').addDir(first.dir), { distributedId });
    expect(upserted).toMatchObject({ status: 'merged', files: 1, skipped: [first.skipped] });
    const last = folderWithLinkOut({ 'b.txt': 'bbbb' });
    const finished = await b.finishArtifact(new Artifact(name, 'predictions').addDir(last.dir), { distributedId });
    expect(finished.stage).toMatchObject({ files: 1, bytes: 4, skipped: [last.skipped] });
    expect((await finished.files()).map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
  });

  test('the CLI warns about a skipped symlink on upsert and on finish, as it does on log', async () => {
    const id = unique('cli-links');
    const first = folderWithLinkOut({ 'one.txt': 'one' });
    const up = await cli(['upsert', first.dir, '--name', 'cli-links', '--type', 'dataset', '--distributed-id', id], process.env);
    expect(up.stderr).toBe(`warning: skipped ${first.skipped.local}: ${first.skipped.reason}\n`);
    const last = folderWithLinkOut({ 'two.txt': 'two' });
    const done = await cli(['finish', last.dir, '--name', 'cli-links', '--type', 'dataset', '--distributed-id', id], process.env);
    expect(done.stderr).toBe(`warning: skipped ${last.skipped.local}: ${last.skipped.reason}\n`);
    expect(done.stdout).toMatch(/^committed cli-links:v0 {2}\(2 files, 6 B, /);
  });

  test('the CLI upserts, lists open drafts with writers and files, and finishes', async () => {
    const id = unique('cli');
    const dir = writeFiles({ 'cli-1.txt': 'one' });
    const up = await cli(['upsert', path.join(dir, 'cli-1.txt'), '--name', 'from-cli', '--type', 'dataset', '--distributed-id', id, '--writer', 'cli-writer'], process.env);
    expect(up.stderr).toBe('');
    expect(up.stdout).toBe(`upserted 1 files into artifact-draft/from-cli/${id} as writer cli-writer\n`);
    const listed = await cli(['drafts', '--json'], process.env);
    const drafts = JSON.parse(listed.stdout) as DraftStatus[];
    expect(drafts.find((d) => d.distributedId === id)).toMatchObject({ name: 'from-cli', writers: 1, files: 1, state: 'open' });
    expect((await cli(['drafts'], process.env)).stdout).toMatch(new RegExp(`from-cli\\s+${id}\\s+1\\s+1\\s+3 B`));
    fs.writeFileSync(path.join(dir, 'cli-2.txt'), 'two');
    const done = await cli(['finish', path.join(dir, 'cli-2.txt'), '--name', 'from-cli', '--type', 'dataset', '--distributed-id', id, '--alias', 'cli'], process.env);
    expect(done.stdout).toMatch(/^committed from-cli:v0 {2}\(2 files, 6 B, digest blake3:[0-9a-f]{16}\)\n$/);
  });
});
