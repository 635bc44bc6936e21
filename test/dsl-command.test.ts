import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseTemplate } from 'temporal-artifacts/dsl';
import { placeInShell, renderCommand, renderShardArg } from 'temporal-artifacts/internal';
import { tempDir } from './helpers';

const HOSTILE = [
  'my project',
  '/data/my project/',
  '"double" quotes',
  "it's single",
  '$(touch PWNED-subshell)',
  '`touch PWNED-backtick`',
  'line one\nline two',
  '*',
  '$HOME ${HOME}',
  'back\\slash\\',
  '-n',
  '',
];

/** Renders `run` with `v` as params.v and runs it through the real /bin/sh in an empty folder; returns what argv the shell built. */
function argvOf(run: string, v: string): { args: string[]; created: string[] } {
  const cwd = tempDir('artifacts-shell-');
  const command = renderCommand(run, { params: { v } });
  const r = spawnSync(command.argv[0]!, command.argv.slice(1), { cwd, env: { ...process.env, ...command.env }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return { args: r.stdout.split('\0').slice(0, -1), created: fs.readdirSync(cwd) };
}

/** Prints each argument it gets followed by a NUL, so any value (newlines included) reads back exactly. */
const PRINT = "printf '%s\\0'";

describe('an expression in a shell string is exactly one word, whatever its value and wherever it stands', () => {
  test.each(HOSTILE.map((v) => [v]))('value %j', (v) => {
    const cases: [string, string][] = [
      [`${PRINT} \${{ params.v }}`, v],
      [`${PRINT} --dir=\${{ params.v }}/cache`, `--dir=${v}/cache`],
      [`${PRINT} "\${{ params.v }}"`, v],
      [`${PRINT} "\${{ params.v }}/cache"`, `${v}/cache`],
      [`${PRINT} "prefix \${{ params.v }}_suffix"`, `prefix ${v}_suffix`],
      [`${PRINT} '(literal)'"\${{ params.v }}"`, `(literal)${v}`],
      [`${PRINT} "$(printf %s "\${{ params.v }}")"`, v.replace(/\n+$/, '')],
      [`${PRINT} "$(printf %s \${{ params.v }})"`, v.replace(/\n+$/, '')],
      [`X=\${{ params.v }}; ${PRINT} "$X" # it's a comment \${{ params.v }}`, v],
    ];
    for (const [run, expected] of cases) {
      const { args, created } = argvOf(run, v);
      expect({ run, args }).toEqual({ run, args: [expected] });
      expect(created).toEqual([]);
    }
  });

  test('in double quotes the variable is written without quotes of its own, and braced so following text is not read as its name', () => {
    expect(renderCommand('rm -rf "${{ params.dir }}/cache" ${{ params.dir }}_old', { params: { dir: '/data/my project' } })).toEqual({
      argv: ['/bin/sh', '-c', 'rm -rf "${ARTIFACTS_EXPR_0}/cache" "${ARTIFACTS_EXPR_1}"_old'],
      env: { ARTIFACTS_EXPR_0: '/data/my project', ARTIFACTS_EXPR_1: '/data/my project' },
    });
  });

  test('rm -rf "${{ params.dir }}/cache" with a space in dir removes only that folder, nothing beside it', () => {
    const root = tempDir('artifacts-rm-');
    for (const d of ['my', 'my project/cache', 'my project/keep']) fs.mkdirSync(path.join(root, d), { recursive: true });
    const command = renderCommand('rm -rf "${{ params.dir }}/cache"', { params: { dir: path.join(root, 'my project') } });
    expect(spawnSync(command.argv[0]!, command.argv.slice(1), { env: { ...process.env, ...command.env } }).status).toBe(0);
    expect(fs.readdirSync(root).sort()).toEqual(['my', 'my project']);
    expect(fs.readdirSync(path.join(root, 'my project'))).toEqual(['keep']);
  });

  test('an argv list keeps each rendered item one argument and never scans it as shell', () => {
    expect(renderCommand(['echo', '--x=${{ params.v }}', 3, true], { params: { v: '$(a) b' } })).toEqual({ argv: ['echo', '--x=$(a) b', '3', 'true'], env: {} });
  });
});

describe('places where a value cannot be one word are refused, each with the reason', () => {
  const problemsOf = (run: string): (string | undefined)[] =>
    placeInShell(parseTemplate(run)).map((p) => ('problem' in p ? p.problem.split(/[;,]/)[0] : undefined));

  test('single quotes, backticks, ${...}, $((...)), a backslash, a bare $ and a here-document', () => {
    expect(problemsOf("echo '${{ params.v }}'")).toEqual(['it stands inside single quotes']);
    expect(problemsOf('echo `cat ${{ params.v }}`')).toEqual(['it stands inside backticks']);
    expect(problemsOf('echo ${X:-${{ params.v }}}')).toEqual(['it stands inside a ${...} expansion']);
    expect(problemsOf('echo $(( ${{ params.v }} + 1 ))')).toEqual(['it stands inside $(( ... ))']);
    expect(problemsOf('echo \\${{ params.v }}')).toEqual(['it stands right after a backslash']);
    expect(problemsOf('echo "$${{ params.v }}"')).toEqual(['it stands right after a "$"']);
    expect(problemsOf('cat <<EOF\n${{ params.v }}\nEOF')).toEqual(['it stands after a here-document (<<)']);
    expect(problemsOf('echo "${{ params.v }}')).toEqual(['the shell string leaves a double quote (") open']);
  });

  test('quotes inside comments, escaped quotes and nested substitutions do not confuse the scanner', () => {
    expect(problemsOf("echo ${{ params.v }} # don't\necho \"it's\" \\' ${{ params.v }} \"$(echo ')' \"${{ params.v }}\")\"")).toEqual([undefined, undefined, undefined]);
    expect(placeInShell(parseTemplate('echo "a \\" ${{ params.v }}" $(echo "(" ${{ params.v }})'))).toEqual([{ quoting: 'double' }, { quoting: 'word' }]);
  });

  test('rendering a refused place throws instead of writing the value where the shell would not keep it one word', () => {
    expect(() => renderCommand("echo '${{ params.v }}'", { params: { v: 'x' } })).toThrow(/cannot be one word of the shell string: it stands inside single quotes/);
  });
});

describe('a fan-out argument is rendered into pieces: text, and the shard values each worker fills in', () => {
  test('shard fields and outputs stay pieces; every other value is text, even when it looks like a placeholder', () => {
    expect(renderShardArg('--in=${{ params.v }}/${{ shard.index }}-of-${{ shard.count }}:${{ outputs }}', { params: { v: '{output}' } })).toEqual([
      '--in=', '{output}', '/', { shard: 'index' }, '-of-', { shard: 'count' }, ':', { shard: 'output' },
    ]);
    expect(renderShardArg(7, {})).toEqual(['7']);
    expect(renderShardArg('${{ shard.item }}', {})).toEqual([{ shard: 'item' }]);
  });
});
