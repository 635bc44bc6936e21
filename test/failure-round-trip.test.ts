import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as api from 'temporal-artifacts';
import * as dsl from 'temporal-artifacts/dsl';
import { REVIVED_CODES, fromFailure, toFailure, withFailures } from 'temporal-artifacts/internal';
import { ERROR_SAMPLES, fieldsOf, sampleOf } from './fixtures/error-samples';
import { isolatedEnv } from './helpers';

/** What a caller must get back: the same class, message, name and fields. */
function expectSameError(revived: unknown, sample: api.ArtifactsError): void {
  expect(revived).toBeInstanceOf(sample.constructor);
  const err = revived as api.ArtifactsError;
  expect({ name: err.name, code: err.code, message: err.message, details: err.details, fields: fieldsOf(err) })
    .toEqual({ name: sample.name, code: sample.code, message: sample.message, details: sample.details, fields: fieldsOf(sample) });
}

describe('toFailure and fromFailure', () => {
  test('rebuild every error class with its message and fields after the failure is serialized as on the wire', () => {
    for (const sample of ERROR_SAMPLES) {
      const wire = defaultFailureConverter.errorToFailure(toFailure(sample), defaultPayloadConverter);
      expectSameError(fromFailure(defaultFailureConverter.failureToError(wire, defaultPayloadConverter)), sample);
    }
  });

  test('know every error class the package exports, and the samples cover them all', () => {
    const classes = [...Object.values(api), ...Object.values(dsl)].filter(
      (v): v is typeof api.ArtifactsError => typeof v === 'function' && (v === api.ArtifactsError || v.prototype instanceof api.ArtifactsError),
    );
    const codes = [...new Set(classes.map((c) => c.name))].sort();
    expect([...REVIVED_CODES].sort()).toEqual(codes);
    expect(ERROR_SAMPLES.map((e) => e.code).sort()).toEqual(codes);
  });

  test('make a domain error non-retryable, and a retryable one final only on its last allowed attempt', () => {
    expect(toFailure(new api.UsageError('bad')).nonRetryable).toBe(true);
    expect(toFailure(new api.LocalFileError('/x', 'permission denied'), { attempt: 1 }).nonRetryable).toBe(true);
    const full = new api.StorageFullError('/blobs', '/x', 'ENOSPC');
    expect([1, 2, 3, 4, 5].map((attempt) => toFailure(full, { attempt }).nonRetryable)).toEqual([false, false, false, true, true]);
    // A command's retries are the step's retry policy's to bound, not the class's.
    const command = new api.CommandFailedError({ what: 'step "a"', argv: ['false'], exitCode: 1, signal: null, attempt: 50, stderr: '' });
    expect(toFailure(command, { attempt: 50 }).nonRetryable).toBe(false);
    expect(toFailure(full, { nonRetryable: true }).nonRetryable).toBe(true);
  });

  test('give a foreign failure type back as an ArtifactsError with that code, and anything without a failure type unchanged', () => {
    const foreign = fromFailure(ApplicationFailure.create({ message: 'boom', type: 'TypeError', details: [{ at: 3 }] })) as api.ArtifactsError;
    expect(foreign).toBeInstanceOf(api.ArtifactsError);
    expect({ code: foreign.code, name: foreign.name, message: foreign.message, details: foreign.details }).toEqual({ code: 'TypeError', name: 'TypeError', message: 'boom', details: { at: 3 } });
    const cancelled = new CancelledFailure('cancelled');
    expect(fromFailure(cancelled)).toBe(cancelled);
    const local = new api.UsageError('thrown here');
    expect(fromFailure(local)).toBe(local);
  });

  test('give a failure typed like an Object.prototype member back as a plain ArtifactsError of that code', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const err = fromFailure(ApplicationFailure.create({ message: `typed ${type}`, type, details: [{}] })) as api.ArtifactsError;
      expect(err).toBeInstanceOf(api.ArtifactsError);
      expect({ code: err.code, message: err.message }).toEqual({ code: type, message: `typed ${type}` });
    }
  });

  test('keep the message and code of a failure whose details have another shape (recorded by an older version)', () => {
    const old = fromFailure(ApplicationFailure.create({ message: 'Fan-out failed (old words)', type: 'FanOutFailedError', details: [] })) as api.ArtifactsError;
    expect({ code: old.code, message: old.message }).toEqual({ code: 'FanOutFailedError', message: 'Fan-out failed (old words)' });
  });

  test('turn anything that is not an ArtifactsError into one with the innermost message of its chain', () => {
    const failure = toFailure(new Error('outer', { cause: new Error('the draft closed') }));
    expect({ type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable }).toEqual({ type: 'ArtifactsError', message: 'the draft closed', nonRetryable: true });
  });
});

describe('every error class through a real workflow', () => {
  const taskQueue = `failures-${Date.now()}`;
  let worker: Worker;
  let running: Promise<void>;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    try {
      // The activity fails on purpose for every class: keep its warnings out of the test output.
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // a runtime is installed already
    }
    const address = process.env['TEMPORAL_ADDRESS']!;
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      taskQueue,
      workflowsPath: path.join(__dirname, 'fixtures', 'failure-workflows.ts'),
      activities: { throwSample: withFailures(async (code: string): Promise<void> => { throw sampleOf(code); }) },
    });
    running = worker.run();
    connection = await Connection.connect({ address });
    client = new Client({ connection });
  });

  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });

  const failureOf = async (workflow: string, code: string): Promise<unknown> => {
    try {
      await client.workflow.execute(workflow, { taskQueue, workflowId: `${workflow}-${code}-${Date.now()}`, args: [code] });
    } catch (err) {
      return fromFailure(err);
    }
    throw new Error(`${workflow}(${code}) did not fail`);
  };

  for (const workflow of ['failFromActivity', 'failThroughChild', 'failAfterRebuilding']) {
    test(`${workflow}: an error thrown by an activity reaches the client as the same class with its fields`, async () => {
      const revived = await Promise.all(ERROR_SAMPLES.map((sample) => failureOf(workflow, sample.code)));
      revived.forEach((err, i) => expectSameError(err, ERROR_SAMPLES[i]!));
    });
  }
});

test('a finished run refuses more work with a UsageError, like every other misuse', async () => {
  const run = await api.init({ env: isolatedEnv(), worker: false });
  await run.finish();
  await expect(run.logArtifact(new api.Artifact('late', 'dataset'))).rejects.toBeInstanceOf(api.UsageError);
});
