import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
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
