import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { cli, isolatedEnv, tempDir, writeFiles } from './helpers';

/** A one-step pipeline whose step is named `blobs`, like the blob store's folder in the data folder. */
function blobsPipeline(): string {
  const dir = writeFiles({
    'p.yaml': [
      'version: 1',
      'name: paths-demo',
      'steps:',
      '  blobs:',
      '    run: [node, -e, "require(\'fs\').writeFileSync(process.argv[1] + \'/out.txt\', \'x\')", "${{ outputs }}"]',
      '    produces: { artifact: paths-result, type: result }',
      '',
    ].join('\n'),
  });
  return path.join(dir, 'p.yaml');
}

test('a run id that climbs out of the runs folder is refused before anything runs, and nothing outside it is deleted', () => {
  const base = tempDir();
  const env = isolatedEnv({ ARTIFACTS_HOME: path.join(base, 'home') });
  const precious = writeFiles({ 'blobs/precious.txt': 'keep me' }, path.join(base, 'victim'));
  const logged = cli(['log', writeFiles({ 'a.txt': 'stored before the run' }), '--name', 'kept', '--type', 'data'], env);
  expect(logged.code).toBe(0);

  for (const id of ['../../victim', '..', 'a/b', '.hidden']) {
    const out = cli(['run', blobsPipeline(), '--run-id', id], env);
    expect(out.stderr).toContain(`error: Run id ${JSON.stringify(id)} cannot name a folder`);
    expect(out.code).toBe(2);
  }
  expect(fs.readFileSync(path.join(precious, 'blobs', 'precious.txt'), 'utf8')).toBe('keep me');
  expect(cli(['verify', 'kept:latest'], env).code).toBe(0);
});

test('a step folder the run did not make (a planted folder or a link) is refused with nothing deleted', () => {
  const env = isolatedEnv();
  const victim = writeFiles({ 'precious.txt': 'keep me' });
  const planted = writeFiles({ 'blobs/mine.txt': 'made by hand' }, path.join(env.ARTIFACTS_HOME, 'runs', 'planted'));
  fs.mkdirSync(path.join(env.ARTIFACTS_HOME, 'runs', 'linked'), { recursive: true });
  fs.symlinkSync(victim, path.join(env.ARTIFACTS_HOME, 'runs', 'linked', 'blobs'));

  for (const id of ['planted', 'linked']) {
    const out = cli(['run', blobsPipeline(), '--run-id', id], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Step folder ${path.join(env.ARTIFACTS_HOME, 'runs', id, 'blobs')} exists but was not made by this run`);
  }
  expect(fs.readFileSync(path.join(planted, 'blobs', 'mine.txt'), 'utf8')).toBe('made by hand');
  expect(fs.readdirSync(victim)).toEqual(['precious.txt']);
  expect(fs.lstatSync(path.join(env.ARTIFACTS_HOME, 'runs', 'linked', 'blobs')).isSymbolicLink()).toBe(true);
});

test('each shard writes into its own private folder under the data folder, made fresh and removed after the shard', async () => {
  const env = isolatedEnv();
  const report = [
    "const fs = require('fs'); const path = require('path'); const d = process.env.ARTIFACTS_OUTPUT_DIR;",
    "const where = { real: fs.realpathSync(d), mode: fs.statSync(d).mode & 0o777, parentMode: fs.statSync(path.dirname(d)).mode & 0o777 };",
    "fs.writeFileSync(d + '/where-' + process.env.ARTIFACTS_SHARD_INDEX + '.json', JSON.stringify(where));",
  ].join(' ');
  const out = cli(['fan-out', '--name', 'scratch-check', '--type', 'report', '--shards', '2', '--', process.execPath, '-e', report], env);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const api = new Api({ env });
  const dir = tempDir();
  await (await api.artifact('scratch-check:v0')).download(dir);
  await api.close();
  const home = fs.realpathSync(env.ARTIFACTS_HOME);
  const wheres = [0, 1].map((i) => JSON.parse(fs.readFileSync(path.join(dir, `where-${i}.json`), 'utf8')) as { real: string; mode: number; parentMode: number });
  for (const where of wheres) {
    expect(where.real.startsWith(home + path.sep)).toBe(true);
    expect({ mode: where.mode, parentMode: where.parentMode }).toEqual({ mode: 0o700, parentMode: 0o700 });
  }
  expect(wheres[0]!.real).not.toBe(wheres[1]!.real);
  for (const where of wheres) expect(fs.existsSync(where.real)).toBe(false);
});
