import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { expect, test } from 'vitest';
import { Artifact, UsageError } from 'temporal-artifacts';
import { writeFiles } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api } = shared;

test("a version's metadata reaches the registry as a blob: the log workflow's history holds its digest, not the metadata", async () => {
  const note = 'n'.repeat(200_000);
  const logged = await shared.run.logArtifact(new Artifact('noted', 'dataset', { metadata: { note, epochs: 3 } }).addDir(writeFiles({ 'a.txt': 'a' })));
  expect((await api.artifact('noted:latest')).metadata).toEqual({ note, epochs: 3 });
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
  try {
    const history = await new Client({ connection }).workflow.getHandle(`artifacts/log/noted/${shared.run.id}/0`).fetchHistory();
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    expect(bytes).toBeLessThan(50_000);
  } finally {
    await connection.close();
  }
  expect(logged.version).toBe('v0');
});

test('metadata over 1 MiB is refused before anything starts, with a sentence that says what to do', async () => {
  const big = new Artifact('too-noted', 'dataset', { metadata: { blob: 'x'.repeat(1024 * 1024) } }).addDir(writeFiles({ 'a.txt': 'a' }));
  const err = await shared.run.logArtifact(big).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(/^The metadata of artifact "too-noted" is 1048587 bytes as JSON; a version keeps at most 1048576 \(1 MiB\)\. Store large values as files/);
  await expect(api.artifact('too-noted')).rejects.toThrow('No artifact is named "too-noted"');
});
