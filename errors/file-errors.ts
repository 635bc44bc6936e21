/**
 * What a file-system error code means for a file a user gave us. Pure (no Node import), so the store, the activities
 * and the client read the same table.
 */

/** Codes retrying cannot fix: the same call on the same path fails the same way until a person acts. */
const PERMANENT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'it does not exist',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of its path is not a folder',
  ENAMETOOLONG: 'its path is too long',
  ELOOP: 'it has too many levels of symbolic links',
};

/** Why a path cannot be used, in words, when its error code is permanent; undefined when a retry might help. */
export function permanentFileReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : PERMANENT[code];
}

/** True for a full disk or an exceeded quota: writes fail until space is freed. */
export function isDiskFull(code: string | undefined): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The code, syscall and path of a Node file-system error; undefined for anything else. */
export function errnoOf(err: unknown): { readonly code: string; readonly path: string | undefined } | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path } = err as Error & { code?: unknown; path?: unknown };
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  return { code, path: typeof path === 'string' ? path : undefined };
}
