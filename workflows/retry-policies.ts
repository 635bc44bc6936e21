import type { RetryPolicy } from '@temporalio/common';

/*
 * How our activities are retried. There is no list of non-retryable error types: every error class says whether a
 * retry can help, and the failure it travels as carries that (errors/failure.ts), so one rule holds everywhere.
 */

/** Store, draft and pipeline activities: a transient failure (a database or server hiccup) gets up to 10 attempts. */
export const ACTIVITY_RETRY: RetryPolicy = { maximumAttempts: 10 };

/**
 * Activities that read a writer's files on its host: no attempt limit, because a lost worker (heartbeat timeout) is
 * retried until the host is back, resuming from its last heartbeat. Errors no retry can fix fail at once, and a full
 * disk is reported after a few attempts (StorageFullError.maxAttempts).
 */
export const HOST_RETRY: RetryPolicy = { initialInterval: '1 second', maximumInterval: '30 seconds' };

/**
 * The heartbeat timeout of activities kept alive on the worker (activities/kept-alive.ts: they beat every 5 s): a
 * worker killed mid-call is noticed within this and the call retried elsewhere, not after its start-to-close timeout.
 * Generous, so a busy machine's slow beat is not taken for a lost worker.
 */
export const LOST_WORKER_AFTER = '1 minute';
