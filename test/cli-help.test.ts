import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { COMMANDS } from '../cli/commands';
import { CLI, cli, isolatedEnv, writeFiles } from './helpers';

const env = isolatedEnv();

test.each(Object.keys(COMMANDS))('`artifacts %s --help` exits 0 and prints its usage and every option', (name) => {
  const command = COMMANDS[name]!;
  const shown = cli([name, '--help'], env);
  expect(shown.stderr).toBe('');
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain(`Usage: ${command.usage}`);
  expect(shown.stdout).toContain(command.summary);
  for (const option of Object.keys(command.options)) expect(shown.stdout).toMatch(new RegExp(`^ {2}--${option}\\b`, 'm'));
  expect(cli(['help', name], env).stdout).toBe(shown.stdout);
});

test('the overview lists every command of the table with its summary, and help after -- belongs to the command run', () => {
  const overview = cli(['help'], env);
  expect(overview.code).toBe(0);
  const rows = overview.stdout.split('\n').map((line) => line.trim().split(/ {2,}/));
  for (const [name, command] of Object.entries(COMMANDS)) expect(rows).toContainEqual([`artifacts ${name}`, command.summary]);
  const fanOut = cli(['fan-out', '--', 'echo', '--help'], env);
  expect(fanOut).toMatchObject({ code: 2, stderr: expect.stringContaining('--name, --type and --shards are required') });
});

test('ls, show, lineage, diff, drafts and status take --json, and their JSON parses', () => {
  for (const name of ['ls', 'show', 'lineage', 'diff', 'drafts', 'status']) expect(COMMANDS[name]!.options['json']).toBeDefined();
  const dir = writeFiles({ 'a.txt': 'a' });
  expect(cli(['log', dir, '--name', 'json-out', '--type', 'dataset'], env).code).toBe(0);
  expect(cli(['log', writeFiles({ 'a.txt': 'a', 'b.txt': 'b' }), '--name', 'json-out', '--type', 'dataset'], env).code).toBe(0);
  const parsed = (args: string[]): unknown => JSON.parse(cli([...args, '--json'], env).stdout);
  expect(parsed(['ls'])).toEqual([expect.objectContaining({ name: 'json-out', versions: 2, latest: 'v1' })]);
  expect(parsed(['ls', 'json-out'])).toHaveLength(2);
  expect(parsed(['show', 'json-out:v1'])).toMatchObject({ name: 'json-out', version: 'v1', files: 2 });
  expect(parsed(['lineage', 'json-out:v1'])).toMatchObject({ ref: 'json-out:v1' });
  expect(parsed(['diff', 'json-out:v0', 'json-out:v1'])).toMatchObject({ summary: { added: 1, removed: 0, modified: 0 } });
});

test('the built `artifacts` command runs as a program of its own (what `npx artifacts ...` in this folder does)', () => {
  const r = spawnSync(CLI, ['--help'], { encoding: 'utf8', env: isolatedEnv() });
  expect({ error: r.error?.message, status: r.status }).toEqual({ error: undefined, status: 0 });
  expect(r.stdout).toContain('artifacts');
});
