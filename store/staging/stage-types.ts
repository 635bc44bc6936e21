import type { IngestCheckpoint } from '../blobs/blob-store';
import type { ManifestRef } from '../manifest/manifest';
import type { SkippedPath } from './walk';

/** Progress of a staging run; JSON, small, and enough for a later attempt to pick up where this one stopped. */
export interface StageProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Large files being written right now, each resumable from its checkpoint. */
  readonly checkpoints?: readonly IngestCheckpoint[] | undefined;
  /** Large files stored past the cursor, so a retry does not read them again. */
  readonly done?: readonly DoneFile[] | undefined;
  /** Every entry up to this path is in the manifest a retry carries on writing (see OrderedWriter). */
  readonly cursor?: StageCursor | undefined;
}

/** Where a staging stands, kept small whatever the file count: the last path written and the writer's state blob. */
export interface StageCursor {
  readonly path: string;
  /** Digest of the blob holding the ManifestWriter's state just after `path`. */
  readonly writer: string;
}

export interface DoneFile {
  readonly local: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly digest: string;
}

export interface StageOptions {
  readonly resume?: StageProgress | undefined;
  readonly onProgress?: ((progress: StageProgress) => void) | undefined;
  readonly maxBytesPerSecond?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface StageResult {
  readonly manifest: ManifestRef;
  readonly files: number;
  readonly bytes: number;
  /** Bytes newly written to the blob store by this attempt. */
  readonly bytesWritten: number;
  /** Bytes taken over from an earlier attempt (resumed uploads and files it had finished). */
  readonly resumedBytes: number;
  /** Multipart parts this attempt sent (object stores only); parts an earlier attempt completed are not sent again. */
  readonly partsSent?: number;
  readonly skipped: readonly SkippedPath[];
  /** True when the logging process began this staging before Temporal dispatched the activity, which adopted it. */
  readonly startedEarly?: boolean;
}
