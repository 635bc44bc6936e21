/** A hashing thread's report of a file error to the main thread. */
export interface WorkerErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly code: string | undefined;
  readonly path: string | undefined;
  readonly localPath: string | undefined;
}

/** A file error as a message to the main thread: its code, the path the call failed on, and the source file it was for. */
export function errorMessage(err: unknown, localPath: string): WorkerErrorMessage {
  const e = err as NodeJS.ErrnoException;
  return { type: 'error', message: e.message, code: e.code, path: e.path, localPath };
}
