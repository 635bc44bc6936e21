import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { cli, isolatedEnv, writeFiles } from './helpers';

function filesUnder(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

test('gc refuses a registry that records no version next to a blob store of old blobs, deletes nothing, and says how to force it', () => {
  const env = isolatedEnv();
  expect(cli(['log', writeFiles({ 'a.txt': 'alpha', 'b.txt': 'beta' }), '--name', 'kept', '--type', 'dataset'], env).code).toBe(0);
  // The registry is lost (deleted by hand, a fresh volume, a wrong ARTIFACTS_REGISTRY); the blobs are not.
  for (const f of fs.readdirSync(env.ARTIFACTS_HOME)) if (f.startsWith('registry.db')) fs.rmSync(path.join(env.ARTIFACTS_HOME, f));
  const blobs = path.join(env.ARTIFACTS_HOME, 'blobs');
  const before = filesUnder(blobs);
  expect(before).toBeGreaterThan(2);
  const refused = cli(['gc', '--grace', '0s'], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('gc refused: the registry records no version at all, yet the blob store');
  expect(refused.stderr).toContain('run `artifacts gc --allow-empty-registry`');
  expect(filesUnder(blobs)).toBe(before);
  const forced = cli(['gc', '--grace', '0s', '--allow-empty-registry', '--json'], env);
  expect(forced.code).toBe(0);
  expect(JSON.parse(forced.stdout)).toMatchObject({ referenced: 0, deleted: before });
});
