import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { Api, ArtifactsPlugin } from 'temporal-artifacts';
import { configFromEnv, hostQueueOf, Store, workflowSource } from 'temporal-artifacts/internal';
import { cli, CLI, isolatedEnv, ROOT, tempDir, waitFor, writeFiles } from './helpers';

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

test('in a fan-out, a param or item that looks like {output} or {index} stays as written, and shard values reach argv and env', async () => {
  const env = isolatedEnv();
  const out = cli(['run', fixture('fan-out-literals.yaml')], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  const api = new Api({ env });
  const label = '{index}-{output}-{item}';
  expect(JSON.parse(await fileOf(api, 'fan-literals:latest', 'shard-0.json'))).toEqual([[label, '{output}', 'i=0/2'], label]);
  expect(JSON.parse(await fileOf(api, 'fan-literals:latest', 'shard-1.json'))).toEqual([[label, label, 'i=1/2'], label]);
  await api.close();
});

test('expressions in workdir, produces.type, files, description and metadata are evaluated; user metadata keys run, step and pipeline are kept', async () => {
  const env = isolatedEnv();
  const dir = tempDir('artifacts-workdir-');
  const out = cli(['run', fixture('produces-expressions.yaml'), '--param', `dir=${dir}`, '--run-id', 'evaluated-1'], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  const api = new Api({ env });
  const v = await api.artifact('evaluated:latest');
  expect((await v.files()).map((f) => f.path)).toEqual(['cwd.txt']);
  expect(await fileOf(api, 'evaluated:latest', 'cwd.txt')).toBe(fs.realpathSync(dir));
  expect({ type: v.type, description: v.description, metadata: v.metadata }).toEqual({
    type: 'report',
    description: `made by run evaluated-1 in ${dir}`,
    metadata: { run: 'mine', step: 'also-mine', pipeline: 'ours', n: 3, nested: { glob: '*.txt' }, 'temporal-artifacts': { pipeline: 'produces-expressions', step: 'make', run: 'evaluated-1' } },
  });
  await api.close();
});

test("a pipeline cannot call the library's own activities: prepareStep on a folder is refused and the folder stays", () => {
  const env = isolatedEnv();
  const victim = writeFiles({ 'precious.txt': 'keep me' });
  const out = cli(['run', fixture('library-activity.yaml'), '--param', `victim=${victim}`], env);
  expect(out.code).toBe(1);
  expect(out.stderr).toContain('step "wipe" calls activity "prepareStep", which is not yours to call');
  expect(fs.readFileSync(path.join(victim, 'precious.txt'), 'utf8')).toBe('keep me');
});

test('an activity step calls an activity the user registered on their worker, and a later step reads its result', async () => {
  const env = isolatedEnv();
  const config = configFromEnv(env);
  const native = await NativeConnection.connect({ address: env['TEMPORAL_ADDRESS']! });
  const store = await Store.fromConfig({ home: config.home });
  const plugin = new ArtifactsPlugin({ store: async () => store, hostQueue: hostQueueOf(config) });
  const activities = { greet: async (who: string): Promise<string> => `hello ${who}` };
  const main = await Worker.create({ connection: native, taskQueue: config.taskQueue, ...workflowSource(), plugins: [plugin], activities });
  const host = await Worker.create({ connection: native, taskQueue: hostQueueOf(config), plugins: [plugin] });
  try {
    await main.runUntil(host.runUntil(async () => {
      // The CLI runs as its own process while this one's workers answer it (a blocking spawn would starve them).
      const cliAsync = (args: string[]): Promise<string> => new Promise((resolve, reject) => execFile(process.execPath, [CLI, ...args], { env }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
      await cliAsync(['run', fixture('activity.yaml'), '--param', 'who=you', '--run-id', 'greet-1', '--detach']);
      const final = await waitFor(async () => {
        const s = JSON.parse(await cliAsync(['status', 'greet-1', '--json'])) as { state: string };
        return s.state !== 'RUNNING' ? s : undefined;
      }, 90_000, 'the run to finish');
      expect(final.state).toBe('COMPLETED');
    }));
    const api = new Api({ env });
    expect(await fileOf(api, 'asked:v0', 'greeting.txt')).toBe('hello you');
    await api.close();
  } finally {
    await native.close();
    await store.close();
  }
});

test('a step with inheritEnv sees only the listed variables of the worker and its own env; a step without it sees them all', async () => {
  const env = { ...isolatedEnv(), ARTIFACTS_TEST_SECRET: 's3cret' };
  const out = cli(['run', fixture('inherit-env.yaml')], env);
  expect(out.stderr).not.toContain('error');
  expect(out.code).toBe(0);
  const api = new Api({ env });
  expect(JSON.parse(await fileOf(api, 'env-listed:latest', 'env.json'))).toEqual([null, 'mine', true]);
  expect(JSON.parse(await fileOf(api, 'env-all:latest', 'env.json'))).toEqual(['s3cret', null, true]);
  await api.close();
});
