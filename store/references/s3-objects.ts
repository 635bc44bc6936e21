import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { createS3Client, isNotFound, parseS3Url } from '../blobs/s3-location';
import { UsageError } from '../../errors';

/** One object a reference names: its URI (with `?versionId=` when the bucket keeps versions), its key below the reference, its size. */
export interface S3Object {
  readonly uri: string;
  readonly relative: string;
  readonly size: number;
}

interface S3Address {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | undefined;
}

/** Objects up to this many are taken from one prefix unless the caller says otherwise (as W&B's max_objects). */
export const DEFAULT_MAX_OBJECTS = 10_000;

let client: S3Client | undefined;

/** One client for every reference (endpoint and credentials from the usual AWS variables, as the S3 store's). */
function s3(bucket: string): S3Client {
  return (client ??= createS3Client(parseS3Url(`s3://${bucket}`)));
}

export function parseS3Object(uri: string): S3Address {
  const url = new URL(uri);
  const key = url.pathname.replace(/^\//, '').split('/').map(decodeURIComponent).join('/');
  return { bucket: url.hostname, key, versionId: url.searchParams.get('versionId') ?? undefined };
}

function objectUri(bucket: string, key: string, versionId: string | undefined): string {
  const base = `s3://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId && versionId !== 'null' ? `${base}?versionId=${encodeURIComponent(versionId)}` : base;
}

/** The object's bytes as they arrive (its recorded version, when the URI names one). */
export async function* s3ObjectBytes(uri: string): AsyncIterable<Uint8Array> {
  const { bucket, key, versionId } = parseS3Object(uri);
  const got = await s3(bucket).send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  if (!got.Body) throw new Error('the S3 server returned no body');
  for await (const chunk of got.Body as Readable) yield chunk as Buffer;
}

/**
 * What `s3://bucket/key` names: the object at `key` (with its version id) when there is one, else every object
 * under the prefix `key/`, each with its key relative to it. More than `maxObjects` is refused, so a typo in a
 * prefix cannot pull in a whole bucket.
 */
export async function listS3Reference(uri: string, maxObjects = DEFAULT_MAX_OBJECTS): Promise<S3Object[]> {
  const { bucket, key } = parseS3Object(uri);
  if (key !== '' && !key.endsWith('/')) {
    const head = await headObject(bucket, key);
    if (head) return [{ uri: objectUri(bucket, key, head.versionId), relative: key.split('/').pop()!, size: head.size }];
  }
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const found: S3Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3(bucket).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      if (found.length === maxObjects) {
        throw new UsageError(`${uri} holds more than ${maxObjects} objects; pass { maxObjects } (CLI: --max-objects) to take more, or reference a narrower prefix.`);
      }
      found.push({ uri: objectUri(bucket, o.Key, undefined), relative: o.Key.slice(prefix.length), size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (found.length === 0) throw new UsageError(`${uri} names no object and no prefix holding any; check the bucket and key.`);
  return found;
}

async function headObject(bucket: string, key: string): Promise<{ size: number; versionId: string | undefined } | undefined> {
  try {
    const head = await s3(bucket).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: head.ContentLength ?? 0, versionId: head.VersionId };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
