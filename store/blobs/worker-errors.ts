import type { HashCopyMessage } from './hash-copy-worker';

/** A file error as a message to the main thread: its code, the path the call failed on, and the source file it was for. */
export function errorMessage(err: unknown, localPath: string): HashCopyMessage {
  const e = err as NodeJS.ErrnoException;
  return { type: 'error', message: e.message, code: e.code, path: e.path, localPath };
}
