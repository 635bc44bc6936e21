import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { cli, isolatedEnv, ROOT, tempDir } from './helpers';

const fixture = (name: string): string => path.join(ROOT, 'test', 'pipelines', name);

async function fileOf(api: Api, ref: string, file: string): Promise<string> {
  const dir = tempDir();
  await (await api.artifact(ref)).download(dir);
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

test('artifacts run keeps each expression of a shell string one word: a dir with a space removes only its own cache, hostile text stays text', async () => {
  const env = isolatedEnv();
  const root = tempDir('artifacts-victim-');
  for (const d of ['my', 'my project/cache', 'my project/keep']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const evil = `a  b\n$(touch PWNED-subshell) \`touch PWNED-backtick\` * "dq" 'sq' $HOME \\`;
  const cwd = path.dirname(fixture('shell-quoting.yaml'));
  const before = fs.readdirSync(cwd);
  const out = cli(['run', fixture('shell-quoting.yaml'), '--param', `dir=${path.join(root, 'my project')}`, '--param', `evil=${evil}`], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  expect(fs.readdirSync(root).sort()).toEqual(['my', 'my project']);
  expect(fs.readdirSync(path.join(root, 'my project'))).toEqual(['keep']);
  expect(fs.readdirSync(cwd)).toEqual(before);
  const api = new Api({ env });
  const args = (await fileOf(api, 'shell-args:latest', 'args')).split('\0').slice(0, -1);
  expect(args).toEqual([evil, evil, `in ${evil} quotes`, `--x=${evil}`, evil]);
  await api.close();
});

test('artifacts validate refuses an expression inside single quotes of a shell string and says how to write it', () => {
  const dir = tempDir();
  const file = path.join(dir, 'p.yaml');
  fs.writeFileSync(file, `version: 1\nname: q\nparams:\n  dir: { type: string, default: x }\nsteps:\n  a:\n    run: "rm -rf '\${{ params.dir }}/cache'"\n`);
  const out = cli(['validate', file], isolatedEnv());
  expect(out.code).toBe(1);
  expect(out.stderr + out.stdout).toContain(`p.yaml:7:19: error: \${{ params.dir }} in the shell command of step "a" cannot be passed as one word: it stands inside single quotes, where the shell expands nothing; close the quotes around it ('...'\${{ expr }}'...') (or use an argv list: run: [cmd, "\${{ params.dir }}"]) [shell-quoting]`);
});

test('params, step ids and env keys named constructor, toString or __proto__ are ordinary names, not Object.prototype', async () => {
  const env = isolatedEnv();
  const out = cli(['run', fixture('prototype-names.yaml'), '--param', 'toString=hello'], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  const api = new Api({ env });
  expect(JSON.parse(await fileOf(api, 'proto-values:latest', 'v.json'))).toEqual([['7', 'hello', 'proto'], 'hello']);
  expect(await fileOf(api, 'proto-after:latest', 'v.txt')).toBe('proto-values:v0');
  await api.close();
  expect(cli(['run', fixture('prototype-names.yaml'), '--param', 'toString=x', '--param', 'hasOwnProperty=1'], env)).toMatchObject({
    code: 2, stderr: expect.stringContaining('declares no param "hasOwnProperty"'),
  });
});
