import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand,
  UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type fsp from 'node:fs/promises';
import type { IngestCheckpoint, IngestOptions } from './blob-store';
import { RateLimiter } from './rate-limiter';
import { hasherFor } from './digest';
import { sameSource, sourceState, type SourceState } from './source-file';
import { IntegrityError, LocalFileError } from '../../errors';

/** Parts are at least this large (S3 allows 5 MiB) and grow so that no file needs more than MAX_PARTS. */
const MIN_PART = 16 << 20;
const MAX_PARTS = 9_000;
/** Parts in flight at once for one file. */
const CONCURRENCY = 8;

export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS);
  return Math.max(MIN_PART, Math.ceil(needed / (1 << 20)) * (1 << 20));
}

/** What one read of the source proves: its digest and the SHA-256 of each part, in base64 as S3 wants it. */
export interface FilePlan {
  readonly localPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly digest: string;
  readonly partSize: number;
  readonly partChecksums: readonly string[];
  /** The file as it was when the read began: the upload completes only if it still looks the same. */
  readonly source: SourceState;
}

/** Hashes the whole file and each of its parts in one pass (reads only; nothing is sent). */
export async function planFile(localPath: string, src: fsp.FileHandle, size: number, mtimeMs: number): Promise<FilePlan> {
  const source = sourceState(src.fd);
  const partSize = partSizeFor(size);
  const whole = hasherFor();
  const partChecksums: string[] = [];
  const buffer = Buffer.allocUnsafe(partSize);
  for (let offset = 0; offset < size; offset += partSize) {
    const part = await readPart(localPath, src, buffer, offset, Math.min(partSize, size - offset));
    whole.update(part);
    partChecksums.push(createHash('sha256').update(part).digest('base64'));
  }
  return { localPath, size, mtimeMs, digest: whole.digest(), partSize, partChecksums, source };
}

/** State of an unfinished multipart upload, kept in the checkpoint's `upload` field. */
export interface MultipartState {
  readonly key: string;
  readonly uploadId: string;
  readonly digest: string;
  readonly partSize: number;
  /** Whether the server said it checks each part against its SHA-256 (it echoed the checksum algorithm). */
  readonly serverChecks: boolean;
  /** Completed parts as [partNumber, ETag]. */
  readonly parts: readonly (readonly [number, string])[];
}

export interface MultipartOutcome {
  readonly partsSent: number;
  readonly partsResumed: number;
  readonly bytesSent: number;
  readonly resumedBytes: number;
}

/**
 * Uploads a planned file as a multipart upload to its digest key. Nothing is visible under the key until
 * CompleteMultipartUpload, which runs only after the server accepted every part against the SHA-256 the plan
 * computed for it (re-checked here as well when the server does not check); the whole-file digest comes from
 * the same read as the part checksums, so the key names exactly the bytes stored.
 */
export async function uploadMultipart(s3: S3Client, bucket: string, key: string, plan: FilePlan, src: fsp.FileHandle,
  options: IngestOptions): Promise<MultipartOutcome> {
  const count = plan.partChecksums.length;
  const { uploadId, serverChecks, parts: resumedParts } = await openUpload(s3, bucket, key, plan, options.resume);
  const etags = new Map<number, string>(resumedParts);
  const partsResumed = etags.size;
  const resumedBytes = [...etags.keys()].reduce((n, p) => n + partLength(plan, p), 0);
  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !etags.has(n));
  const limiter = new RateLimiter(options.maxBytesPerSecond);
  // Each part in flight listens for cancellation; more than Node's default of 10 is expected, not a leak.
  if (options.signal) setMaxListeners(CONCURRENCY + 16, options.signal);
  let bytesSent = 0;
  let bytesDone = resumedBytes;
  const checkpoint = (): IngestCheckpoint => ({
    localPath: plan.localPath, sourceSize: plan.size, sourceMtimeMs: plan.mtimeMs, bytesDone, prefixDigest: plan.digest,
    upload: { key, uploadId, digest: plan.digest, partSize: plan.partSize, serverChecks, parts: [...etags].sort((a, b) => a[0] - b[0]) } satisfies MultipartState,
  });
  options.onCheckpoint?.(checkpoint());

  let failed = false;
  const sendParts = async (): Promise<void> => {
    const buffer = Buffer.allocUnsafe(plan.partSize);
    for (let n = todo.shift(); n !== undefined && !failed; n = todo.shift()) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('upload aborted');
      const part = await readPart(plan.localPath, src, buffer, (n - 1) * plan.partSize, partLength(plan, n));
      const checksum = plan.partChecksums[n - 1]!;
      if (!serverChecks && createHash('sha256').update(part).digest('base64') !== checksum) throw changed(plan, n);
      await limiter.take(part.length);
      const { ETag } = await s3.send(new UploadPartCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: part, ContentLength: part.length, ChecksumSHA256: checksum,
      }), options.signal ? { abortSignal: options.signal } : {}).catch((err: unknown) => {
        throw (err as { name?: unknown }).name === 'BadDigest' ? changed(plan, n) : err;
      });
      if (!ETag) throw new Error(`The S3 server returned no ETag for part ${n} of s3://${bucket}/${key}.`);
      etags.set(n, ETag);
      bytesSent += part.length;
      bytesDone += part.length;
      options.onCheckpoint?.(checkpoint());
    }
  };
  try {
    // The first failure stops the other senders before their next part.
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, () => sendParts().catch((err: unknown) => {
      failed = true;
      throw err;
    })));
  } catch (err) {
    // Parts of bytes that no longer exist are of no use to a retry; other failures keep them for resuming.
    if (err instanceof LocalFileError) await abandon(s3, bucket, key, uploadId);
    throw err;
  }

  await refuseIfWrittenTo(s3, bucket, key, uploadId, plan, src);
  await completeUpload(s3, bucket, key, uploadId, plan, etags);
  return { partsSent: count - partsResumed, partsResumed, bytesSent, resumedBytes };
}

/**
 * Each part matched the first read, yet a file written to since that read began may have been caught half-way
 * through someone's update (its early bytes old, its later bytes new): only a file untouched throughout is kept.
 */
async function refuseIfWrittenTo(s3: S3Client, bucket: string, key: string, uploadId: string, plan: FilePlan, src: fsp.FileHandle): Promise<void> {
  if (sameSource(plan.source, sourceState(src.fd))) return;
  await abandon(s3, bucket, key, uploadId);
  throw new LocalFileError(plan.localPath, 'it changed while being uploaded (written to after the first read); log it once nothing writes to it any more');
}

/** A multipart upload ready for parts: its id, whether the server checks part checksums, and the parts it has. */
interface OpenUpload {
  readonly uploadId: string;
  readonly serverChecks: boolean;
  readonly parts: readonly (readonly [number, string])[];
}

/** Resumes the checkpoint's upload when the server still has it, else creates a new one. */
async function openUpload(s3: S3Client, bucket: string, key: string, plan: FilePlan, resume: IngestCheckpoint | undefined): Promise<OpenUpload> {
  const resumed = await resumeUpload(s3, bucket, key, plan, resume);
  if (resumed) return resumed;
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
  if (!created.UploadId) throw new Error(`The S3 server returned no upload id for s3://${bucket}/${key}.`);
  // A server that checks part checksums rejects bytes that differ from the first read, so they need no second
  // hash here; with one that does not, each part is hashed again before it is sent.
  return { uploadId: created.UploadId, serverChecks: created.ChecksumAlgorithm === 'SHA256', parts: [] };
}

/** Completes the upload from its parts and checks the composite checksum the server computed, if it says one. */
async function completeUpload(s3: S3Client, bucket: string, key: string, uploadId: string, plan: FilePlan, etags: ReadonlyMap<number, string>): Promise<void> {
  const parts = [...etags].sort((a, b) => a[0] - b[0]).map(([n, ETag]) => ({ PartNumber: n, ETag, ChecksumSHA256: plan.partChecksums[n - 1] }));
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  const expected = compositeChecksum(plan.partChecksums);
  if (done.ChecksumSHA256 && done.ChecksumSHA256.split('-')[0] !== expected) {
    throw new IntegrityError(`The S3 server stored s3://${bucket}/${key} with checksum ${done.ChecksumSHA256}, not ${expected}-${plan.partChecksums.length}; the upload was corrupted in transit. Retry the upload.`);
  }
}

function changed(plan: FilePlan, part: number): LocalFileError {
  return new LocalFileError(plan.localPath, `it changed while being uploaded (part ${part} differs from the first read); log it once nothing writes to it any more`);
}

/** The S3 checksum of a multipart object: SHA-256 over the concatenated binary SHA-256 of each part. */
function compositeChecksum(partChecksums: readonly string[]): string {
  const hash = createHash('sha256');
  for (const c of partChecksums) hash.update(Buffer.from(c, 'base64'));
  return hash.digest('base64');
}

/**
 * Takes over an earlier attempt's upload when its checkpoint still describes this file and key. The server's
 * own list of parts is the truth (it may hold parts completed after the last heartbeat); a part counts only if
 * its size is right. An upload that no longer exists, or a checkpoint for other bytes, means a fresh start.
 */
async function resumeUpload(s3: S3Client, bucket: string, key: string, plan: FilePlan, resume: IngestCheckpoint | undefined): Promise<OpenUpload | undefined> {
  if (!resume || resume.localPath !== plan.localPath || resume.sourceSize !== plan.size || resume.sourceMtimeMs !== plan.mtimeMs) return undefined;
  const state = resume.upload as Partial<MultipartState>;
  if (typeof state.uploadId !== 'string' || state.digest !== plan.digest || state.key !== key || state.partSize !== plan.partSize) {
    if (typeof state.uploadId === 'string' && typeof state.key === 'string') await abandon(s3, bucket, state.key, state.uploadId);
    return undefined;
  }
  const parts: [number, string][] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: state.uploadId, PartNumberMarker: marker }));
      for (const p of page.Parts ?? []) {
        if (p.PartNumber && p.ETag && p.Size === partLength(plan, p.PartNumber)) parts.push([p.PartNumber, p.ETag]);
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (err) {
    if ((err as { name?: unknown }).name === 'NoSuchUpload') return undefined;
    throw err;
  }
  return { uploadId: state.uploadId, serverChecks: state.serverChecks === true, parts };
}

/** Best effort: a dead upload's parts are otherwise kept until a bucket lifecycle rule removes them. */
export async function abandon(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
}

function partLength(plan: FilePlan, n: number): number {
  return Math.min(plan.partSize, plan.size - (n - 1) * plan.partSize);
}

async function readPart(localPath: string, src: fsp.FileHandle, buffer: Buffer, offset: number, length: number): Promise<Buffer> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await src.read(buffer, got, length - got, offset + got);
    if (bytesRead === 0) throw new LocalFileError(localPath, `it shrank while being read (ended before byte ${offset + got})`);
    got += bytesRead;
  }
  return buffer.subarray(0, length);
}
