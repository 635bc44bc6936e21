import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, isolatedEnv, writeFiles } from './helpers';

const env = isolatedEnv();

describe('incremental mode from the command line', () => {
  test('`artifacts draft` adds and removes for scripts; show, lineage and diff report the base and the changes', () => {
    const dir = writeFiles({ 'old.png': 'old', 'keep.png': 'keep', 'labels/a.json': '{"a":1}' });
    expect(cli(['log', dir, '--name', 'photos', '--type', 'dataset'], env).code).toBe(0);
    const extra = writeFiles({ 'new.png': 'new pixels' });

    const drafted = cli(['draft', 'photos:latest', '--add', path.join(extra, 'new.png'), '--remove', 'old.png'], env);
    expect(drafted.stderr).toBe('');
    expect(drafted.stdout).toContain('created photos:v1 from photos:v0: +1 added, -1 removed, ~0 modified (3 files');

    const shown = cli(['show', 'photos:v1'], env);
    expect(shown.stdout).toContain('base:     photos:v0 (+1 added, -1 removed, ~0 modified)');

    const lineage = cli(['lineage', 'photos:v1'], env);
    expect(lineage.stdout).toMatch(/^photos:v1\nmade by: {2}workflow artifacts\/incremental\/photos\/\S+ run \S+ \(init run \S+\)\nbased on: photos:v0\n/);
    expect(cli(['lineage', 'photos:v0'], env).stdout).toContain('drafts:   photos:v1');

    const stale = cli(['draft', 'photos:v0', '--remove', 'labels'], env);
    expect(stale.stdout).toContain('created photos:v2 from photos:v0: +0 added, -1 removed, ~0 modified');
    // Disjoint from what v1 changed, so the removal applies on top of v1 rather than dropping v1's changes.
    expect(stale.stdout).toContain('note: photos:v0 was no longer latest; the changes touch none of the paths changed since, so they were applied on top of photos:v1.');

    const diff = cli(['diff', 'photos:v1', 'photos:v2'], env);
    expect(diff.stdout).toBe([
      '- labels/a.json  7 B',
      'photos:v1 -> photos:v2: +0 added (0 B), -1 removed (7 B), ~0 modified',
      '',
    ].join('\n'));
  });

  test('`artifacts draft` refuses a name the base does not have, before anything runs', () => {
    const dir = writeFiles({ 'a.txt': 'a' });
    expect(cli(['log', dir, '--name', 'refusing', '--type', 'dataset'], env).code).toBe(0);
    const r = cli(['draft', 'refusing:latest', '--remove', 'b.txt'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: remove("b.txt"): refusing:v0 has no entry or folder by that name (or this draft removed it already); run `artifacts show refusing:v0` to see its files.\n');
    expect(cli(['draft', 'refusing:latest'], env).stderr).toContain('Nothing to change: give --add PATH or --remove NAME.');
  });
});
