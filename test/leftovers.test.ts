import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { expect, test } from 'vitest';
import { CLI, cli, isolatedEnv, tempDir, waitFor, writeFiles, writeUniqueFile } from './helpers';

/** Ends every running workflow of a test's task queue, as a user ends an orphaned write by hand. */
async function terminateRunning(taskQueue: string, expected: number): Promise<number> {
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const client = new Client({ connection });
    const ids = await waitFor(async () => {
      const found: string[] = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) found.push(w.workflowId);
      return found.length >= expected ? found : undefined;
    }, 30_000, 'the orphaned write to be listed');
    for (const id of ids) await client.workflow.getHandle(id).terminate('the test ends the orphaned write');
    return ids.length;
  } finally {
    await connection.close();
  }
}

test('gc deletes the temp file of an upload killed with SIGKILL once its write has ended, and keeps one a live process holds open', async () => {
  // A file of one chunk (4 MiB) is copied into a temp file that is renamed only once the capped read ends, 4 s on.
  const env = isolatedEnv({ ARTIFACTS_MAX_BYTES_PER_SECOND: '1000000' });
  const big = path.join(tempDir(), 'big.bin');
  writeUniqueFile(big, 4 << 20);
  const tmpDir = path.join(env.ARTIFACTS_HOME, 'blobs', 'tmp');
  // A registry with a version in it: gc refuses a store whose registry looks reset.
  expect(cli(['log', writeFiles({ 'kept.txt': 'kept' }), '--name', 'kept', '--type', 'data'], env).code).toBe(0);
  const client = spawn(process.execPath, [CLI, 'log', big, '--name', 'killed-upload', '--type', 'data'], { env, stdio: 'ignore' });
  const partial = await waitFor(() => {
    const names = fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir) : [];
    return names.find((n) => fs.statSync(path.join(tmpDir, n)).size > 0);
  }, 60_000, 'the upload to write its temp file');
  client.kill('SIGKILL');
  await once(client, 'exit');
  expect(await terminateRunning(env.ARTIFACTS_TASK_QUEUE!, 1)).toBe(1);

  const held = path.join(tmpDir, 'held-by-a-live-writer');
  fs.writeFileSync(held, 'still being written');
  const anHourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(held, anHourAgo, anHourAgo);
  const fd = fs.openSync(held, 'r');
  try {
    const out = cli(['gc', '--grace', '0', '--json'], env);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ tempFiles: 1 });
    expect(fs.existsSync(path.join(tmpDir, partial))).toBe(false);
    expect(fs.readdirSync(tmpDir)).toEqual(['held-by-a-live-writer']);
  } finally {
    fs.closeSync(fd);
  }
});

test('when a run ends, the copies of its steps\' inputs are deleted and their outputs stay', () => {
  const env = isolatedEnv();
  expect(cli(['log', writeFiles({ 'a.txt': 'input bytes' }), '--name', 'source', '--type', 'data'], env).code).toBe(0);
  const dir = writeFiles({
    'p.yaml': [
      'version: 1',
      'name: inputs-demo',
      'steps:',
      '  consume:',
      '    uses: [source:latest]',
      '    run: [node, -e, "const fs = require(\'fs\'); fs.copyFileSync(process.argv[1] + \'/source/a.txt\', process.argv[2] + \'/copy.txt\')", "${{ inputs }}", "${{ outputs }}"]',
      '    produces: { artifact: consumed, type: data }',
      '',
    ].join('\n'),
  });
  const out = cli(['run', path.join(dir, 'p.yaml'), '--run-id', 'with-inputs'], env);
  expect(out.code).toBe(0);
  const step = path.join(env.ARTIFACTS_HOME, 'runs', 'with-inputs', 'consume');
  expect(fs.readFileSync(path.join(step, 'outputs', 'copy.txt'), 'utf8')).toBe('input bytes');
  expect(fs.existsSync(path.join(step, 'inputs'))).toBe(false);
});

test('a shard folder left by a worker killed with SIGKILL is removed when the next shard starts on that host', async () => {
  const env = isolatedEnv();
  const scratch = path.join(env.ARTIFACTS_HOME, 'scratch');
  const stuck = "require('fs').writeFileSync(process.env.ARTIFACTS_OUTPUT_DIR + '/partial.txt', 'x'); setInterval(() => {}, 1000)";
  const client = spawn(process.execPath, [CLI, 'fan-out', '--name', 'killed-shard', '--type', 'report', '--shards', '1', '--', process.execPath, '-e', stuck], { env, stdio: 'ignore' });
  await waitFor(() => (fs.existsSync(scratch) ? fs.readdirSync(scratch).find((n) => fs.existsSync(path.join(scratch, n, 'partial.txt'))) : undefined), 60_000, 'the shard to write');
  client.kill('SIGKILL');
  await once(client, 'exit');
  // The fan-out (its shard is an activity of it, and the draft is only opened once outputs arrive).
  expect(await terminateRunning(env.ARTIFACTS_TASK_QUEUE!, 1)).toBe(1);

  const quick = "require('fs').writeFileSync(process.env.ARTIFACTS_OUTPUT_DIR + '/ok.txt', 'ok')";
  expect(cli(['fan-out', '--name', 'next-shard', '--type', 'report', '--shards', '1', '--', process.execPath, '-e', quick], env).code).toBe(0);
  expect(fs.readdirSync(scratch)).toEqual([]);
});
