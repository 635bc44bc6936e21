import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { cli, isolatedEnv, tempDir, writeFiles } from './helpers';

const env = isolatedEnv();

test('log, ls, show, download and verify work end to end with plain output when not on a TTY', () => {
  const dir = writeFiles({ 'train.csv': 'a,b\n1,2\n', 'nested/test.csv': 'a,b\n3,4\n' });
  const logged = cli(['log', dir, '--name', 'cli-data', '--type', 'dataset', '--alias', 'best', '--metadata', 'rows=2', '--metadata', 'source=unit'], env);
  expect(logged.stderr).toBe('');
  expect(logged.code).toBe(0);
  expect(logged.stdout).toMatch(/^created cli-data:v0 {2}\(2 files, 16 B, digest blake3:[0-9a-f]{16}\)\naliases: latest, best\nstored 16 B new bytes\n$/);

  expect(cli(['ls'], env).stdout).toMatch(/^NAME\s+TYPE\s+VERSIONS\s+LATEST\s+UPDATED\ncli-data\s+dataset\s+1\s+v0\s+\S+\n$/);
  expect(cli(['ls', 'cli-data'], env).stdout).toMatch(/v0\s+2\s+16 B\s+blake3:[0-9a-f]{16}\s+latest,best/);

  const shown = cli(['show', 'cli-data:best'], env).stdout;
  expect(shown).toContain('cli-data:v0 (dataset)');
  expect(shown).toContain('metadata: {"rows":2,"source":"unit"}');
  expect(shown).toMatch(/nested\/test\.csv\s+8 B\s+blake3:/);

  const out = path.join(tempDir(), 'out');
  expect(cli(['download', 'cli-data:latest', out], env)).toMatchObject({ code: 0, stdout: `downloaded cli-data:v0: 2 files, 16 B (2 fetched, 16 B; 0 already in place) into ${out}\n` });
  expect(fs.readFileSync(path.join(out, 'nested', 'test.csv'), 'utf8')).toBe('a,b\n3,4\n');
  expect(cli(['verify', 'cli-data:v0'], env)).toMatchObject({ code: 0, stdout: 'ok: cli-data:v0, 2 files re-hashed, all match\n' });
});

test('errors are one sentence saying what to do, with a non-zero exit', () => {
  expect(cli(['show', 'missing-name:v0'], env)).toMatchObject({
    code: 1, stderr: 'error: Artifact "missing-name:v0" not found. No artifact is named "missing-name"; run `artifacts ls` to see the names that exist (`--all-projects` lists every project).\n',
  });
  expect(cli(['log', '/no/such/file.txt', '--name', 'x', '--type', 'dataset'], env)).toMatchObject({
    code: 1, stderr: 'error: Cannot add "/no/such/file.txt": it does not exist. Check the path exists and is readable.\n',
  });
  expect(cli(['log', 'x.txt', '--name', 'x'], env)).toMatchObject({
    code: 2, stderr: expect.stringContaining('error: --name and --type are required. Usage: artifacts log PATH...'),
  });
  expect(cli(['lgo'], env)).toMatchObject({ code: 2, stderr: 'error: Unknown command "lgo"; run `artifacts help` to see the commands.\n' });
  expect(cli(['ls', '--bogus'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
  expect(cli(['show', 'bad ref'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('error: Invalid artifact ref "bad ref"') });
});
