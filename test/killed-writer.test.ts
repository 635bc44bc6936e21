import path from 'node:path';
import { expect, test } from 'vitest';
import { cli, fileClient, isolatedEnv, spawnLive, startWorker, tempDir, waitFor, writeUniqueFile } from './helpers';
import type { ChildProcess } from 'node:child_process';

// A fast heartbeat timeout, so a dead writer's staging is noticed and moved within seconds; the writer to be killed
// alone is slowed down, so that it is killed mid-staging.
const env = isolatedEnv({ ARTIFACTS_HEARTBEAT_TIMEOUT_MS: '2000' });
const slow = { ...env, ARTIFACTS_MAX_BYTES_PER_SECOND: String(2 * 1024 * 1024) };
const children: ChildProcess[] = [];
const client = fileClient(children);

/** The worker identities (`pid@host`) that started any activity of a workflow. */
async function activityRunners(workflowId: string): Promise<string[]> {
  const history = await client().workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes?.identity ? [e.activityTaskStartedEventAttributes.identity] : []));
}

/** Every message along an error's cause chain. */
function messages(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.message);
  return out.join(' <- ');
}

test('a killed collaborative writer\'s staging is never taken up by other short-lived clients; drafts and finish name it; a worker on its host later settles it', async () => {
  const name = 'killed-writer';
  const draftId = 'd1';
  const big = path.join(tempDir(), 'big.bin');
  writeUniqueFile(big, 16 * 1024 * 1024);
  const killed = spawnLive(['upsert', big, '--name', name, '--type', 'dataset', '--distributed-id', draftId, '--writer', 'doomed'], slow);
  children.push(killed.child);
  const doomedId = `artifacts/upsert/${name}/${draftId}/doomed/0`;
  await waitFor(async () => {
    const d = await client().workflow.getHandle(doomedId).describe().catch(() => undefined);
    return d?.raw.pendingActivities?.some((a) => a.heartbeatDetails) ? true : undefined;
  }, 60_000, 'the doomed writer to be staging');
  killed.child.kill('SIGKILL');
  await killed.exited;

  // Short-lived clients come and go on the same host while the dead writer's staging is due for a retry.
  const otherPids: number[] = [];
  for (const [i, bytes] of [6, 6].entries()) {
    const file = path.join(tempDir(), `other-${i}.bin`);
    writeUniqueFile(file, bytes * 1024 * 1024);
    const other = spawnLive(['upsert', file, '--name', name, '--type', 'dataset', '--distributed-id', draftId, '--writer', `other-${i}`], env);
    otherPids.push(other.child.pid!);
    const done = await other.exited;
    expect(done.code, done.stderr).toBe(0);
  }
  const runners = await activityRunners(doomedId);
  for (const pid of otherPids) expect(runners.filter((r) => r.startsWith(`${pid}@`))).toEqual([]);
  expect(runners.every((r) => r.startsWith(`${killed.child.pid}@`))).toBe(true);

  const drafts = cli(['drafts'], env);
  expect(drafts.stdout).toContain('started but not delivered');
  expect(drafts.stdout).toMatch(new RegExp(`artifact-draft/${name}/${draftId}\\s+doomed\\s+`));
  expect(drafts.stdout).not.toMatch(/other-0|other-1/);

  const finish = cli(['finish', '--name', name, '--type', 'dataset', '--distributed-id', draftId], env);
  expect(finish.code, finish.stderr).toBe(0);
  expect(finish.stdout).toContain(`committed ${name}:v0  (2 files`);
  expect(finish.stderr).toContain(`warning: writer doomed started adding to this draft`);
  expect(finish.stderr).toContain(`but never delivered, so its files are not in ${name}:v0`);

  // A worker on the writer's host takes the moved work up and settles it: refused, naming the committed version.
  children.push(await startWorker(env));
  const failure = await waitFor(() => client().workflow.getHandle(doomedId).result().then(() => 'completed', messages), 120_000, 'the doomed writer to settle');
  expect(failure).toContain(`${name}:v0`);
}, 300_000);
