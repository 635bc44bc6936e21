import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Api, ArtifactsPlugin, outputsDir } from 'temporal-artifacts';
import { configFromEnv, removeOutputsFolder } from 'temporal-artifacts/internal';
import { isolatedEnv, tempDir, waitFor, writeFiles } from './helpers';

// A user's worker: their workflows file (re-exporting ours) on their own queue, with the ArtifactsPlugin, which
// also polls this host's artifact queue. The workflows name files on this host by its id.
const WORKFLOWS = path.join(__dirname, 'fixtures', 'artifact-call-workflows.ts');
Object.assign(process.env, isolatedEnv());
const config = configFromEnv();
const place = { host: config.hostId, taskQueue: config.taskQueue };
const userQueue = `user-${randomUUID().slice(0, 8)}`;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const api = new Api();

beforeAll(async () => {
  native = await NativeConnection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  client = new Client({ connection });
  worker = await Worker.create({ connection: native, taskQueue: userQueue, workflowsPath: WORKFLOWS, plugins: [new ArtifactsPlugin()] });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker.shutdown();
  await running;
  await api.close();
  await connection.close();
  await native.close();
});

async function execute<R>(workflow: string, input: unknown): Promise<{ result: R; workflowId: string }> {
  const workflowId = `${workflow}-${randomUUID().slice(0, 8)}`;
  const result = await client.workflow.execute<(i: unknown) => Promise<R>>(workflow, { taskQueue: userQueue, workflowId, args: [input] });
  return { result, workflowId };
}

test('logArtifact stages a folder on the named host and commits it, recorded as made by the calling workflow; the history replays', async () => {
  const dir = writeFiles({ 'a.csv': 'x,y\n1,2\n', 'sub/b.csv': 'x,y\n3,4\n' });
  const { result, workflowId } = await execute<{ ref: string; created: boolean; fileCount: number; metadata: unknown }>('logFolder', { ...place, name: 'wf-logged', dir });
  expect(result).toMatchObject({ ref: 'wf-logged:v0', created: true, fileCount: 2, metadata: { rows: 2 } });
  const v = await api.artifact('wf-logged:v0');
  expect((await v.files()).map((f) => f.path)).toEqual(['a.csv', 'sub/b.csv']);
  expect(v.description).toBe('made in a workflow');
  expect(v.producer?.caller).toMatchObject({ workflowId, workflowType: 'logFolder' });
  // The user's folder is theirs: only outputsDir() folders are removed after the commit.
  expect(fs.existsSync(path.join(dir, 'a.csv'))).toBe(true);

  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS }, history, workflowId)).resolves.toBeUndefined();
});

test('a user workflow retried after logging gets the same version back: the call attaches instead of making a second', async () => {
  const dir = writeFiles({ 'only.txt': `once ${randomUUID()}` });
  const workflowId = `logThenFailOnce-${randomUUID().slice(0, 8)}`;
  const handle = await client.workflow.start('logThenFailOnce', {
    taskQueue: userQueue, workflowId, args: [{ ...place, name: 'wf-retried', dir }], retry: { maximumAttempts: 2, initialInterval: '5 seconds' },
  });
  // Between the attempts the folder changes: a second log would make a v1 of it (not return v0 as unchanged).
  await waitFor(async () => ((await api.versions('wf-retried').catch(() => [])).length > 0 ? true : undefined), 60_000, 'the first attempt to log');
  fs.writeFileSync(path.join(dir, 'later.txt'), 'written between the attempts');
  const result = (await handle.result()) as { ref: string; created: boolean };
  expect(result).toMatchObject({ ref: 'wf-retried:v0', created: false });
  expect((await api.versions('wf-retried')).map((v) => v.version)).toEqual(['v0']);
  expect((await (await api.artifact('wf-retried:v0')).files()).map((f) => f.path)).toEqual(['only.txt']);
});

test('child workflows upsert into the draft named by their parent\'s id, and the parent\'s finishArtifact commits one version with both', async () => {
  const files = [writeFiles({ 'm0.json': '{"acc":0.9}' }), writeFiles({ 'm1.json': '{"acc":0.8}' })].map((d, i) => path.join(d, `m${i}.json`));
  const { result, workflowId } = await execute<{ upserts: { distributedId: string; writer: string }[]; version: { ref: string; aliases: string[] } }>('collaborate', { ...place, name: 'wf-metrics', files });
  expect(result.upserts.map((u) => u.distributedId)).toEqual([workflowId, workflowId]);
  expect(result.upserts.map((u) => u.writer)).toEqual([`${workflowId}/writer-0`, `${workflowId}/writer-1`]);
  expect(result.version).toMatchObject({ ref: 'wf-metrics:v0', aliases: expect.arrayContaining(['best', 'latest']) as unknown });
  const v = await api.artifact('wf-metrics:v0');
  expect((await v.files()).map((f) => f.path)).toEqual(['m0.json', 'm1.json']);
  expect(v.producer?.caller).toMatchObject({ workflowId, workflowType: 'collaborate' });
});

test('newDraft adds a file and removes a path, saving only the change on top of its base', async () => {
  const dir = writeFiles({ 'keep.txt': 'keep', 'drop.txt': 'drop' });
  await execute('logFolder', { ...place, name: 'wf-edited', dir });
  const file = path.join(writeFiles({ 'new.txt': 'added in a workflow' }), 'new.txt');
  const { result } = await execute<{ ref: string; basedOn: string; aliases: string[] }>('editVersion', { ...place, ref: 'wf-edited:latest', file, remove: 'drop.txt' });
  expect(result).toMatchObject({ ref: 'wf-edited:v1', basedOn: 'v0' });
  expect(result.aliases).toContain('edited');
  expect((await (await api.artifact('wf-edited:v1')).files()).map((f) => f.path)).toEqual(['added.txt', 'keep.txt']);
});

test('useArtifact resolves a ref to the version it names and records the workflow as its user; aliasArtifact points an alias at it', async () => {
  await execute('logFolder', { ...place, name: 'wf-used', dir: writeFiles({ 'u.txt': 'used' }) });
  const { result, workflowId } = await execute<{ used: { ref: string; digest: string }; moved: { aliases: string[] } }>('useThenAlias', { ref: 'wf-used:latest', alias: 'production' });
  expect(result.used.ref).toBe('wf-used:v0');
  expect(result.used.digest).toBe((await api.artifact('wf-used:v0')).digest);
  expect(result.moved.aliases).toContain('production');
  expect((await api.artifact('wf-used:production')).version).toBe('v0');
  // The workflow that used it is in its lineage, once.
  const lineage = await (await api.artifact('wf-used:v0')).lineage();
  expect(lineage.usedByWorkflows).toEqual([expect.objectContaining({ workflowId, workflowType: 'useThenAlias' })]);
});

test('a relative path fails the workflow at once with one sentence naming the path and the host, and makes no version', async () => {
  const failed = await execute('logRelativePath', place).catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(WorkflowFailedError);
  const chain: string[] = [];
  for (let e: unknown = failed; e instanceof Error; e = e.cause) chain.push(e.message);
  expect(chain.join(' <- ')).toMatch(/"relative\/folder" is not an absolute path: a workflow names files on \S+@\S+ by absolute paths/);
  await expect(api.artifact('never-made:latest')).rejects.toThrow();
});

test('outputsDir() outside an activity says where it works; an outputs folder is removed only when it is one', () => {
  expect(() => outputsDir()).toThrow(/works inside an activity of a worker created with `plugins: \[new ArtifactsPlugin\(\)\]`/);
  const root = tempDir();
  const outside = tempDir();
  expect(removeOutputsFolder(root, outside)).toBe(false);
  expect(removeOutputsFolder(root, path.join(root, '..', path.basename(outside)))).toBe(false);
  const fake = path.join(root, 'not-an-outputs-folder');
  fs.mkdirSync(fake);
  expect(removeOutputsFolder(root, fake)).toBe(false);
  expect(fs.existsSync(outside) && fs.existsSync(fake)).toBe(true);
  const real = path.join(root, '0123456789abcdef-activity_1-1');
  fs.mkdirSync(real);
  expect(removeOutputsFolder(root, real)).toBe(true);
  expect(fs.existsSync(real)).toBe(false);
});
