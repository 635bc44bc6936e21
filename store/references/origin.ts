import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashChunks } from '../blobs/digest';
import { httpBytes } from './http-origin';
import { s3ObjectBytes } from './s3-objects';

/** The URI schemes a reference may use. */
export const REFERENCE_SCHEMES = ['file:', 'http:', 'https:', 's3:'] as const;

/**
 * The bytes at a reference's origin, unchecked (a reader that serves them hashes them). Any failure to reach them
 * (no such file or object, an HTTP error, a refused connection) is an OriginError naming the URI.
 */
export async function* originBytes(uri: string): AsyncIterable<Uint8Array> {
  try {
    if (uri.startsWith('file://')) {
      for await (const chunk of createReadStream(fileURLToPath(uri), { highWaterMark: 8 << 20 })) yield chunk as Buffer;
    } else if (uri.startsWith('s3://')) yield* s3ObjectBytes(uri);
    else if (uri.startsWith('http://') || uri.startsWith('https://')) yield* httpBytes(uri);
    else throw new Error(`${uri.split(':')[0]}: is not a scheme references may use (file, http, https, s3)`);
  } catch (err) {
    if (err instanceof OriginError) throw err;
    throw new OriginError(uri, describe(err));
  }
}

/** Digest (new content's algorithm, or `like`'s) and size of what a reference's origin holds now. */
export async function hashOrigin(uri: string, like?: string): Promise<{ digest: string; size: number }> {
  return hashChunks(originBytes(uri), like);
}

/** A reference's origin could not be read. Not an ArtifactsError of its own: callers say which entry it was. */
export class OriginError extends Error {
  constructor(readonly uri: string, readonly reason: string) {
    super(`cannot read ${uri}: ${reason}`);
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: { code?: string; message?: string } };
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES') return 'permission denied';
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}
