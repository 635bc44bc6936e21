/** Errors of pipeline runs, fan-out shards and the commands they run. */
import { ArtifactsError } from './artifacts-error';

export interface PipelineFailureDetails {
  readonly pipeline: string;
  readonly runId: string;
  /** Every step's final state; failed ones carry their error. */
  readonly steps: Readonly<Record<string, { readonly state: string; readonly error?: string }>>;
}

/** Thrown by a pipeline run one of whose steps failed; names each failed step and its error. */
export class PipelineFailedError extends ArtifactsError<PipelineFailureDetails> {
  override readonly code = 'PipelineFailedError';
  constructor(details: PipelineFailureDetails) {
    const failed = Object.entries(details.steps).filter(([, s]) => s.state === 'failed');
    const lines = failed.map(([id, s]) => `step "${id}": ${s.error ?? 'failed'}`);
    super(`pipeline ${details.pipeline} (run ${details.runId}) failed:\n${lines.join('\n')}`, details);
  }
}

/** Thrown by a fan-out shard whose every attempt failed; the fan-out counts it against its minimum success ratio. */
export class ShardFailedError extends ArtifactsError<{ index: number; attempts: number; lastError: string }> {
  override readonly code = 'ShardFailedError';
  constructor(readonly index: number, readonly attempts: number, readonly lastError: string) {
    super(`shard ${index} failed after ${attempts} attempts: ${lastError}`, { index, attempts, lastError });
  }
}

export interface CommandFailureDetails {
  /** What ran it, e.g. `step "train" (attempt 2)` or `Shard 3`. */
  readonly what: string;
  readonly argv: readonly string[];
  /** The exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The activity attempt it ran in (1 for the first). */
  readonly attempt: number;
  /** The last lines of its stderr. */
  readonly stderr: string;
}

/** Thrown when a step's or shard's command exits non-zero; retried as the step's retry policy says. */
export class CommandFailedError extends ArtifactsError<CommandFailureDetails> {
  override readonly code = 'CommandFailedError';
  override readonly retryable = true;
  constructor(details: CommandFailureDetails) {
    const ending = details.exitCode ?? details.signal ?? 'an unknown status';
    super(`${details.what}: command ${JSON.stringify(details.argv.join(' '))} exited with ${ending}${details.stderr ? `: ${details.stderr}` : ''}`, details);
  }
}

/** Thrown when a step's or shard's command cannot be started (not on PATH, not executable). */
export class CommandStartError extends ArtifactsError<{ what: string; program: string; reason: string }> {
  override readonly code = 'CommandStartError';
  constructor(readonly what: string, readonly program: string, readonly reason: string) {
    super(`${what}: cannot run ${JSON.stringify(program)}: ${reason}. Check the command exists on this worker's PATH.`, { what, program, reason });
  }
}
