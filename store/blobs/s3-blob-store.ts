import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type GetObjectCommandOutput, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import type fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { BatchIngestOptions, BlobStore, IngestOptions, IngestResult } from './blob-store';
import { blake3, bytesMatch, CHUNK_BYTES, hashChunks, hasherFor, isDigest, parseDigest } from './digest';
import { ALGORITHMS, digestAt } from './blob-layout';
import { RateLimiter } from './rate-limiter';
import { createS3Client, explainS3Error, isNotFound, parseS3Url, s3ErrorName, sha256Base64, type S3Location } from './s3-location';
import { ingestPool } from './hash-copy-pool';
import { ingestChunked } from './chunked-ingest';
import { concatAll, hasChunked, isChunked, listBlobOf, readChunked, setAsideDamagedChunks } from './chunked-files';
import { CheckpointKeepAlive } from './checkpoint-keep-alive';
import { bodyBytes, rangedRead, RANGED_MIN } from './s3-ranged-read';
import { localFailure, readSourceSnapshot, statSourceFile } from './source-file';
import { IntegrityError } from '../../errors';

/** Blobs up to this size are sent with a conditional PUT straight away rather than after a HEAD. */
const SEND_BEFORE_ASKING = 256 << 10;
/** Small-file uploads in flight at once per batch: each is a round trip, so concurrency, not bandwidth, bounds them. */
const SMALL_UPLOADS = 16;
/** Chunks of one large file in flight at once (each CHUNK_BYTES of memory until sent). */
const CHUNK_UPLOADS = 8;

/**
 * Blobs in an S3-compatible bucket under `<prefix>/<algorithm>/ab/cdef...`, the same layout as the local store.
 * Writes are put-if-absent by digest and carry a SHA-256 checksum, so the server rejects bytes damaged in
 * transit; reads are hashed and compared to the key. Files larger than a chunk are stored as one object per chunk
 * and a chunk list (see chunked-files.ts), so a changed file sends only its changed chunks.
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly where: S3Location;
  private readonly s3: S3Client;
  /** `<prefix>/`: every blob key starts with it and an algorithm's folder. */
  private readonly root: string;
  /** Small-blob reads worth having in flight at once (see BlobStore.prefetch). */
  readonly prefetch = 32;
  /** Whether the server honours `If-None-Match: *` on PUT; turned off at the first NotImplemented answer. */
  private conditionalPut = true;

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.where = parseS3Url(url, env);
    this.location = url;
    this.s3 = createS3Client(this.where, env);
    this.root = this.where.prefix ? `${this.where.prefix}/` : '';
  }

  keyOf(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return `${this.root}${algorithm}/${hex.slice(0, 2)}/${hex.slice(2)}`;
  }

  async has(digest: string): Promise<boolean> {
    if (isChunked(digest)) return hasChunked(this, digest);
    return (await this.storedSize(digest)) !== undefined;
  }

  /** The size of the object under a digest, or undefined when there is none. */
  private async storedSize(digest: string): Promise<number | undefined> {
    return (await this.statBlob(digest))?.size;
  }

  async putBytes(bytes: Uint8Array): Promise<string> {
    const digest = blake3(bytes);
    await this.putIfAbsent(digest, bytes);
    return digest;
  }

  /**
   * Returns whether this call stored the bytes (false when the digest was already there). One conditional PUT
   * (`If-None-Match: *`) where the server supports it; otherwise a HEAD first, and a rare race only rewrites
   * identical bytes. Either way the server checks the bytes against their SHA-256 before keeping them. With
   * `replace` (the object there has the wrong size: damaged), the PUT is unconditional.
   */
  private async putIfAbsent(digest: string, bytes: Uint8Array, replace = false): Promise<boolean> {
    if (!this.conditionalPut && !replace && (await this.storedSize(digest)) === bytes.length) return false;
    try {
      await this.s3.send(new PutObjectCommand({
        Bucket: this.where.bucket, Key: this.keyOf(digest), Body: bytes, ContentLength: bytes.length,
        ChecksumSHA256: sha256Base64(digest, bytes), ...(this.conditionalPut && !replace ? { IfNoneMatch: '*' } : {}),
      }));
      return true;
    } catch (err) {
      const name = s3ErrorName(err);
      if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') return false;
      if (name === 'NotImplemented' && this.conditionalPut) {
        this.conditionalPut = false;
        return this.putIfAbsent(digest, bytes, replace);
      }
      throw explainS3Error(this.where, err);
    }
  }

  async getBytes(digest: string, into?: Buffer): Promise<Buffer> {
    if (isChunked(digest)) return concatAll(readChunked(this, digest));
    const bytes = await this.getUnchecked(digest, into);
    if (bytesMatch(bytes, digest)) return bytes;
    throw new IntegrityError(`Blob ${digest} in ${this.location} holds bytes that hash to ${hasherFor(digest).update(bytes).digest()}. The object was changed outside this tool; re-log the artifact to restore it.`);
  }

  async getUnchecked(digest: string, into?: Buffer): Promise<Buffer> {
    const got = await this.get(digest);
    return bodyBytes(got.Body, got.ContentLength, into);
  }

  async ingestFile(localPath: string, options: IngestOptions = {}): Promise<IngestResult> {
    const stat = statSourceFile(localPath);
    if (stat.size > CHUNK_BYTES) return this.ingestAsChunks(localPath, stat, options);
    const bytes = readSourceSnapshot(localPath);
    const digest = blake3(bytes);
    await new RateLimiter(options.maxBytesPerSecond).take(bytes.length);
    const wrote = await this.sendIfMissing(digest, bytes);
    return { digest, size: bytes.length, bytesWritten: wrote ? bytes.length : 0, resumedBytes: 0 };
  }

  /** Sends bytes under their digest unless held; above a few requests' worth, asks first. An object of the wrong size is replaced. */
  private async sendIfMissing(digest: string, bytes: Uint8Array): Promise<boolean> {
    const stored = bytes.length > SEND_BEFORE_ASKING ? await this.storedSize(digest) : undefined;
    return stored !== bytes.length && this.putIfAbsent(digest, bytes, stored !== undefined);
  }

  /**
   * A file larger than a chunk goes up as one object per chunk (hashed on the ingest threads, each sent from the
   * buffer that was hashed, CHUNK_UPLOADS at once) and then its chunk list. A chunk the bucket holds already, from
   * any file, version or earlier attempt, is not sent again: a retry after a crash sends only what is missing.
   */
  private async ingestAsChunks(localPath: string, stat: fs.Stats, options: IngestOptions): Promise<IngestResult> {
    const keepAlive = new CheckpointKeepAlive(localPath, stat, options);
    let sent = 0;
    const send = async (digest: string, bytes: Uint8Array): Promise<boolean> => (await this.sendIfMissing(digest, bytes)) && ++sent > 0;
    try {
      const done = await ingestChunked(ingestPool, localPath, stat, { kind: 'upload', send, inFlight: CHUNK_UPLOADS }, options, keepAlive.report);
      await this.sendIfMissing(listBlobOf(done.digest), done.list);
      const resumedBytes = options.resume ? done.bytesPresent : 0;
      return { digest: done.digest, size: done.size, bytesWritten: done.bytesWritten, resumedBytes, partsSent: sent, chunks: done.chunks };
    } catch (err) {
      throw localFailure(err); // a source file that changed or cannot be read, named (the threads report it as data)
    } finally {
      keepAlive.stop();
    }
  }

  /**
   * Large blobs come as parallel ranged GETs (see rangedRead), smaller ones with one GET. The size is learnt from
   * that GET's headers (no HEAD per blob): for a large one its body is dropped and the ranges are fetched instead.
   */
  async *read(digest: string): AsyncIterable<Buffer> {
    if (isChunked(digest)) {
      yield* readChunked(this, digest);
      return;
    }
    const got = await this.get(digest);
    const size = got.ContentLength ?? 0;
    if (size >= RANGED_MIN) {
      (got.Body as Readable).destroy();
      try {
        yield* rangedRead(this.s3, this.where.bucket, this.keyOf(digest), size);
      } catch (err) {
        throw isNotFound(err) ? this.missing(digest) : explainS3Error(this.where, err);
      }
      return;
    }
    for await (const chunk of got.Body as Readable) yield chunk as Buffer;
  }

  /** Many small files at once: each is one request, so up to SMALL_UPLOADS go up together. Results in the order given. */
  async ingestFiles(localPaths: readonly string[], options: BatchIngestOptions = {}): Promise<IngestResult[]> {
    const results = new Array<IngestResult>(localPaths.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < localPaths.length) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('ingest cancelled');
        const i = next++;
        results[i] = await this.ingestFile(localPaths[i]!, { signal: options.signal });
      }
    };
    await Promise.all(Array.from({ length: Math.min(SMALL_UPLOADS, localPaths.length) }, lane));
    return results;
  }

  async hashStored(digest: string): Promise<string> {
    return (await hashChunks(this.read(digest), digest)).digest;
  }

  /**
   * Deletes the object only if it is still the one that hashed wrong (its ETag, read with the bytes): an object
   * rewritten meanwhile with the right bytes has another ETag, and stays.
   */
  async setAsideDamaged(digest: string): Promise<void> {
    if (isChunked(digest)) return setAsideDamagedChunks(this, digest);
    let etag: string | undefined;
    try {
      const got = await this.get(digest);
      etag = got.ETag;
      if ((await hashChunks(got.Body as Readable, digest)).digest === digest) return;
    } catch (err) {
      if (err instanceof IntegrityError) return;
      throw err;
    }
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest), IfMatch: etag }));
    } catch (err) {
      if (s3ErrorName(err) === 'PreconditionFailed' || isNotFound(err)) return;
      throw explainS3Error(this.where, err);
    }
  }

  async *list(): AsyncIterable<string> {
    for (const algorithm of ALGORITHMS) {
      for await (const rest of this.keysUnder(`${this.root}${algorithm}/`)) {
        const [shard, tail] = rest.split('/');
        const digest = shard && tail ? digestAt(algorithm, shard, tail) : undefined;
        if (digest && isDigest(digest)) yield digest;
      }
    }
  }

  /** Every key under a prefix, without the prefix. */
  private async *keysUnder(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.guard(this.s3.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(prefix.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(digest: string): Promise<void> {
    await this.guard(this.s3.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) })));
  }

  /** When the object under a digest was last written, and its size; undefined when there is none. */
  async statBlob(digest: string): Promise<{ readonly modifiedMs: number; readonly size: number } | undefined> {
    try {
      const head = await this.guard(this.s3.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) })));
      return { modifiedMs: head.LastModified?.getTime() ?? 0, size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * gc's first step for a blob: moves it under `<prefix>/trash/`, where no reader or writer looks (a writer that asks
   * for it now finds it missing and uploads it again). `restoreFromTrash` puts it back, `purgeFromTrash` ends it.
   */
  async moveToTrash(digest: string): Promise<void> {
    await this.copy(this.keyOf(digest), this.trashKeyOf(digest));
    await this.delete(digest);
  }

  async restoreFromTrash(digest: string): Promise<void> {
    await this.copy(this.trashKeyOf(digest), this.keyOf(digest));
    await this.purgeFromTrash(digest);
  }

  async purgeFromTrash(digest: string): Promise<void> {
    await this.guard(this.s3.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.trashKeyOf(digest) })));
  }

  /** Digests in the trash: this sweep's, and any a gc that died before settling left there. */
  async *listTrash(): AsyncIterable<string> {
    for await (const digest of this.keysUnder(this.trashKeyOf(''))) if (isDigest(digest)) yield digest;
  }

  private trashKeyOf(digest: string): string {
    return `${this.where.prefix ? `${this.where.prefix}/` : ''}trash/${digest}`;
  }

  private async copy(from: string, to: string): Promise<void> {
    const source = `${this.where.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
    await this.guard(this.s3.send(new CopyObjectCommand({ Bucket: this.where.bucket, Key: to, CopySource: source })));
  }

  private async get(digest: string): Promise<GetObjectCommandOutput & { Body: NonNullable<GetObjectCommandOutput['Body']> }> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) }));
      if (!got.Body) throw new Error(`The S3 server returned no body for blob ${digest}.`);
      return { ...got, Body: got.Body };
    } catch (err) {
      if (isNotFound(err)) throw this.missing(digest);
      throw explainS3Error(this.where, err);
    }
  }

  private missing(digest: string): IntegrityError {
    return new IntegrityError(`Blob ${digest} is missing from ${this.location}. The bucket was changed outside this tool; re-log the artifact to restore it.`);
  }

  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (s3ErrorName(err) === 'NotFound' || s3ErrorName(err) === 'NoSuchKey') throw err;
      throw explainS3Error(this.where, err);
    }
  }
}
