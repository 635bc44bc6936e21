import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CLI, cli, isolatedEnv, nodeScript, tempDir, writeFiles, type CliResult } from './helpers';

// No TEMPORAL_ADDRESS: every process must find (or start) the data folder's own background dev server.
const env = isolatedEnv();
delete env['TEMPORAL_ADDRESS'];

function serverProcesses(): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', `--db-filename ${path.join(env.ARTIFACTS_HOME, 'temporal.db')}`], { encoding: 'utf8' })
      .trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cliAsync(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

afterAll(() => {
  for (const pid of serverProcesses()) process.kill(pid, 'SIGKILL');
});

test('with no configuration, the first clients start one shared background server that later processes reuse, until `server stop`', async () => {
  expect(cli(['server', 'status'], env)).toMatchObject({ code: 3, stdout: expect.stringContaining('not running') });

  // Two first clients at once, from different working directories: exactly one server starts.
  const a = writeFiles({ 'a.txt': 'from process a' });
  const b = writeFiles({ 'b.txt': 'from process b' });
  const [ra, rb] = await Promise.all([
    cliAsync(['log', a, '--name', 'embedded-a', '--type', 'dataset'], tempDir()),
    cliAsync(['log', b, '--name', 'embedded-b', '--type', 'dataset'], tempDir()),
  ]);
  expect(ra, ra.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('created embedded-a:v0') });
  expect(rb, rb.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('created embedded-b:v0') });
  const servers = serverProcesses();
  expect(servers).toHaveLength(1);
  const info = JSON.parse(fs.readFileSync(path.join(env.ARTIFACTS_HOME, 'server.json'), 'utf8')) as { pid: number; address: string };
  expect(info.pid).toBe(servers[0]);

  // The server outlived the clients that started it; an API client in another process reuses it.
  const later = await nodeScript(`
    import { init, Artifact } from 'temporal-artifacts';
    const run = await init();
    const v = await run.logArtifact(new Artifact('embedded-a', 'dataset').addDir(${JSON.stringify(a)}));
    console.log(v.version, v.created);
    await run.finish();
  `, env);
  expect(later.stdout.trim()).toBe('v0 false');
  expect(serverProcesses()).toEqual([info.pid]);

  expect(cli(['server', 'status'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining(`running: ${info.address} (pid ${info.pid})`) });
  expect(cli(['server', 'stop'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining(`stopped the dev server at ${info.address}`) });
  expect(serverProcesses()).toEqual([]);
  expect(cli(['server', 'status'], env).code).toBe(3);

  // Its state survives a restart: the versions are still there and the next client starts it again.
  const ls = cli(['ls'], env);
  expect(ls.stdout).toMatch(/embedded-a\s+dataset\s+1\s+v0/);
  expect(cli(['server', 'start'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('running: 127.0.0.1:') });
  expect(serverProcesses()).toHaveLength(1);
  cli(['server', 'stop'], env);
});
