import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { CLI, cli, isolatedEnv, writeFiles } from './helpers';

test('a command named like a prototype member is an unknown command: one sentence, exit 2', () => {
  const env = isolatedEnv();
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    expect(cli([name], env)).toMatchObject({ code: 2, stdout: '', stderr: `error: Unknown command ${JSON.stringify(name)}; run \`artifacts help\` to see the commands.\n` });
  }
});

test('a missing file, a folder given for a file and an existing file given for a folder: one sentence naming the path, exit 1', () => {
  const env = isolatedEnv();
  const data = writeFiles({ 'a.txt': 'a' });
  const file = path.join(data, 'a.txt');
  const missing = path.join(data, 'missing.yaml');
  expect(cli(['validate', missing], env)).toMatchObject({ code: 1, stderr: `error: ${missing} does not exist; check the path.\n` });
  expect(cli(['run', missing], env)).toMatchObject({ code: 1, stderr: `error: ${missing} does not exist; check the path.\n` });
  expect(cli(['validate', data], env)).toMatchObject({ code: 1, stderr: `error: ${data} is a folder where a file is needed; give a file.\n` });
  expect(cli(['log', data, '--name', 'n', '--type', 't'], env).code).toBe(0);
  const download = cli(['download', 'n:latest', file], env);
  expect(download).toMatchObject({ code: 1, stderr: `error: ${file} already exists as a file where a folder is needed; remove it or give another path.\n` });
});

test('output cut short by a reader that stops early (log | head) neither crashes nor loses the version', () => {
  const env = isolatedEnv();
  const data = writeFiles({ 'a.txt': 'piped' });
  // `true` exits at once, so every line the command prints meets a closed pipe; pipefail reports the command's status.
  const piped = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" log "${data}" --name piped --type t | true`], { env, encoding: 'utf8', timeout: 120_000 });
  expect(piped.stderr).not.toContain('EPIPE');
  expect(piped.status).toBe(0);
  expect(cli(['ls', 'piped'], env).stdout).toContain('v0');
});
