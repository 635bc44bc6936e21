/**
 * The base of every error a user can hit. It says what went wrong, where and what to do, and carries its context
 * as plain JSON (`details`): with `code` it is all a failure needs to cross a Temporal boundary and come back as the
 * same class with the same fields (see `failure.ts`). No Node or Temporal import: workflows, activities, the store
 * and the client all raise these.
 */
export class ArtifactsError<D extends object = object> extends Error {
  /** Stable machine-readable name of the failure; also the Temporal ApplicationFailure type. */
  readonly code: string = 'ArtifactsError';
  /**
   * Whether retrying the same operation could succeed. False for almost every class (bad input, missing files): the
   * failure is then non-retryable and fails its workflow at once, whatever the retry policy says.
   */
  readonly retryable: boolean = false;
  /** For a retryable class: the attempts in all after which it is reported instead (undefined: the retry policy decides). */
  readonly maxAttempts: number | undefined = undefined;
  /** The error's context as plain JSON (paths, refs, writers): what a caller on the other side reads. */
  readonly details: D;

  constructor(message: string, details?: D) {
    super(message);
    this.name = new.target.name;
    this.details = details ?? ({} as D);
  }
}
