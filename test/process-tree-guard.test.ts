import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ProcessTree } from 'temporal-artifacts/internal';
import { waitFor } from './helpers';

/** Running and not a zombie (a killed orphan waits for init to reap it). */
function running(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** This process's guards: its children running process-tree-guard.js. */
function guards(): number[] {
  const children = fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number));
  return children.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('process-tree-guard.js');
    } catch {
      return false;
    }
  });
}

test('one guard starts every command: an exit code with the end of stderr, a program that cannot start, and a group ended on request', async () => {
  const failed = await ProcessTree.spawn(['sh', '-c', 'echo first >&2; echo last >&2; exit 3'], { env: process.env }).exited;
  expect(failed).toEqual({ code: 3, stderr: 'first\nlast\n' });
  expect(await ProcessTree.spawn(['no-such-program-here'], { env: process.env }).exited).toEqual({ startError: 'spawn no-such-program-here ENOENT', stderr: '' });
  const tree = ProcessTree.spawn(['sh', '-c', 'sleep 60 & sleep 60'], { env: process.env });
  await new Promise((r) => setTimeout(r, 200));
  await tree.end(5000);
  expect(await tree.exited).toMatchObject({ signal: 'SIGTERM' });
  expect(guards()).toHaveLength(1);
});

test('a command whose guard is killed ends as killed, with its grandchildren, saying why; the next command gets a new guard', async () => {
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-test-')), 'grandchild.pid');
  const tree = ProcessTree.spawn(['sh', '-c', `sleep 60 & echo $! > '${pidFile}'; wait`], { env: process.env });
  const grandchild = await waitFor(() => (fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined), 20_000, 'the grandchild to start');
  const [guard] = guards();
  process.kill(guard!, 'SIGKILL');
  const end = await tree.exited;
  expect(end).toMatchObject({ signal: 'SIGKILL' });
  expect(end.stderr).toBe("the worker's process-tree guard ended (SIGKILL) while the command ran; its process group was killed");
  await waitFor(() => (running(grandchild) ? undefined : true), 10_000, 'the grandchild to be killed');
  expect(await ProcessTree.spawn(['sh', '-c', 'exit 0'], { env: process.env }).exited).toEqual({ code: 0, stderr: '' });
  expect(guards()).not.toContain(guard);
});
