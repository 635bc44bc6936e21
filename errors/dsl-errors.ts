/**
 * Errors of pipeline files and their expressions. They live here, with every other error class, so one table
 * rebuilds them all (`failure.ts`); the DSL re-exports them.
 */
import { ArtifactsError } from './artifacts-error';

/** One thing wrong with a pipeline file, as data: what, where in the document, and where in the file. */
export interface Problem {
  /** Stable kind: `yaml-syntax`, `unknown-key`, `schema`, `unknown-step`, `cycle`, `undefined-param`, ... */
  readonly code: string;
  /** Path in the document, e.g. `steps.evaluate.needs[0]`. */
  readonly path: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** How many characters of the line the caret underlines. */
  readonly length: number;
}

/** Thrown by loadPipeline for a pipeline file with problems; its message is the compiler-style report of them all. */
export class PipelineError extends ArtifactsError<{ problems: readonly Problem[]; rendered: string }> {
  override readonly code = 'PipelineError';
  constructor(readonly problems: readonly Problem[], readonly rendered: string) {
    super(rendered, { problems, rendered });
  }
}

/** Thrown for a malformed `${{ ... }}` expression; `offset` is where in the string it went wrong. */
export class ExpressionError extends ArtifactsError<{ offset: number }> {
  override readonly code = 'ExpressionError';
  constructor(message: string, readonly offset: number) {
    super(message, { offset });
  }
}
