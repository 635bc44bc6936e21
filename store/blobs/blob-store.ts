/**
 * Content-addressed blob storage: every blob is stored under the digest of its bytes (blake3:, or bare SHA-256 hex
 * for older blobs; see docs/format.md), written at most once
 * (put-if-absent) and atomically, so readers never see a partial blob. The embedded default is a local folder;
 * an object-store twin implements the same interface. Nothing here knows about Temporal.
 */
export interface BlobStore {
  /** Where the store lives, for messages (a folder or a URL). */
  readonly location: string;
  has(digest: string): Promise<boolean>;
  /** Stores bytes under their digest unless already present; returns the digest. */
  putBytes(bytes: Uint8Array): Promise<string>;
  /**
   * A blob's bytes. A remote store may read them into `into` when they fit, and then returns a view of it: the caller
   * that passes a buffer must not reuse it while it still uses the result.
   */
  getBytes(digest: string, into?: Buffer): Promise<Buffer>;
  /**
   * Reads a local file once, hashing while it writes the blob. A checkpoint passed to `onCheckpoint` can be
   * handed back as `resume` (after a crash, by another process) to continue where the last attempt stopped.
   */
  ingestFile(localPath: string, options?: IngestOptions): Promise<IngestResult>;
  /**
   * Optional fast path for many small files: ingests them as one batch (each read once, hashed and stored) off the
   * main thread; results are in the order given. Stores without it get one `ingestFile` call per file.
   */
  ingestFiles?(localPaths: readonly string[], options?: BatchIngestOptions): Promise<IngestResult[]>;
  /**
   * Remote stores: how many reads of small blobs are worth having in flight at once (each costs a round trip).
   * Undefined: read one after another (a local folder, where a read is a system call).
   */
  readonly prefetch?: number | undefined;
  /**
   * A blob's bytes as stored, in chunks, unchecked: a reader that serves them hashes them on the way (see
   * TargetFolder). A missing blob is an IntegrityError naming it, thrown by the first read.
   */
  read(digest: string): AsyncIterable<Buffer>;
  /**
   * Remote stores: a blob stored whole, read whole as `getBytes` reads it, but unchecked: for a caller that hashes the
   * bytes as it writes them, and keeps nothing it wrote unless they match (see store/reading/chunked-placing.ts).
   */
  getUnchecked?(digest: string, into?: Buffer): Promise<Buffer>;
  /** Streams a blob's bytes through SHA-256 and returns the digest actually stored. */
  hashStored(digest: string): Promise<string>;
  /**
   * Takes a blob whose bytes were found not to hash to `digest` out of the store (a local store keeps it aside under
   * `damaged/`), so the next ingest of the right content writes it again instead of finding it present. A blob that
   * hashes right again when this looks (repaired meanwhile) stays.
   */
  setAsideDamaged(digest: string): Promise<void>;
  /** Lists every digest held, for garbage collection. */
  list(): AsyncIterable<string>;
  delete(digest: string): Promise<void>;
}

export interface IngestOptions {
  /** A checkpoint from an earlier, interrupted attempt at the same file. */
  resume?: IngestCheckpoint | undefined;
  /**
   * Called as bytes are durably written, and may be called again with the latest checkpoint while long work goes
   * on (an object store re-reports it every second), so a caller can heartbeat with it. JSON and small. The local
   * store does not checkpoint a fresh, uncapped ingest of a file up to 1 GiB: the kernel copies it in one call,
   * and redoing it after a crash costs about a second.
   */
  onCheckpoint?: ((checkpoint: IngestCheckpoint) => void) | undefined;
  /** Caps the read rate; 0 or undefined means no cap. */
  maxBytesPerSecond?: number | undefined;
  /** Stops the ingest (e.g. on activity cancellation). */
  signal?: AbortSignal | undefined;
  /**
   * Opt-in, local stores only: store the file as a hard link to the source instead of a copy (hashing is then the
   * only work). The blob and the user's file become one file: editing the source in place afterwards corrupts
   * the stored version (`verify` reports it). Falls back to a copy across filesystems. Ignored by object stores.
   */
  hardLinkIntoStore?: boolean | undefined;
}

export type BatchIngestOptions = Pick<IngestOptions, 'signal' | 'hardLinkIntoStore'>;

/** Opaque, JSON-serializable progress of one file's ingest. */
export interface IngestCheckpoint {
  readonly localPath: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly bytesDone: number;
  /**
   * Proves on resume that the source is unchanged: the SHA-256 of the first `bytesDone` bytes (local store), or
   * of the whole file, whose digest names the upload (S3 store, where parts complete out of order).
   */
  readonly prefixDigest: string;
  /** Store-specific state (a temp file name, multipart upload id and parts). */
  readonly upload: Record<string, unknown>;
}

export interface IngestResult {
  readonly digest: string;
  readonly size: number;
  /** Bytes this call wrote to the store (0 when the blob was already present and nothing was resumed). */
  readonly bytesWritten: number;
  /** Bytes taken over from an earlier attempt without being written again. */
  readonly resumedBytes: number;
  /** Multipart uploads only: parts this call sent (parts an earlier attempt completed are not sent again). */
  readonly partsSent?: number | undefined;
  /** Files stored as chunks: how many chunks the file has (see chunked-ingest.ts). */
  readonly chunks?: number | undefined;
}
