import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ConfigError } from '../../errors';
import { parseDigest, sha256 } from './digest';

/** Where an S3 blob store lives: `s3://bucket/prefix`, with the endpoint it talks to. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket root. */
  readonly prefix: string;
  /** The URL as given, for messages. */
  readonly url: string;
  /** The endpoint from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or undefined for AWS itself. */
  readonly endpoint: string | undefined;
}

export function parseS3Url(url: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  const bucket = match?.[1];
  if (!match || !bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(`Invalid blob store URL ${JSON.stringify(url)}: write s3://bucket or s3://bucket/prefix with a valid bucket name (lowercase letters, digits, dots, hyphens). Check ARTIFACTS_STORE.`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket, prefix, url, endpoint: env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined };
}

/**
 * An S3 client configured from the usual AWS variables. A custom endpoint (SeaweedFS, MinIO, Ceph...) gets
 * path-style addressing. Checksums are sent only where this store asks for them (SHA-256 on every upload),
 * instead of the SDK's default CRC32 on every request, which some S3-compatible servers reject.
 */
export function createS3Client(location: S3Location, env: NodeJS.ProcessEnv = process.env): S3Client {
  // The SDK warns on every process start under Node 20 that its releases after January 2027 need Node 22. This
  // package pins its SDK version and supports Node 20, so the warning would only alarm users of the CLI.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = env['AWS_SESSION_TOKEN'] || undefined;
  return new S3Client({
    region: env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1',
    ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
  });
}

/** The S3 error name, or the Node network error code, of a failure. */
export function s3ErrorName(err: unknown): string | undefined {
  if (err instanceof S3ServiceException) return err.name;
  const code = (err as { code?: unknown; name?: unknown }).code ?? (err as { name?: unknown }).name;
  return typeof code === 'string' ? code : undefined;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'TimeoutError']);
const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'CredentialsProviderError', 'ExpiredToken']);

/** Turns configuration failures (unreachable endpoint, missing bucket, bad credentials) into a ConfigError that says what to check. */
export function explainS3Error(location: S3Location, err: unknown): unknown {
  const name = s3ErrorName(err);
  const where = `${location.url}${location.endpoint ? ` (endpoint ${location.endpoint})` : ''}`;
  const detail = err instanceof Error ? err.message : String(err);
  if (name && NETWORK.has(name)) {
    return new ConfigError(`Cannot reach the blob store at ${where}: ${detail} (${name}). Check AWS_ENDPOINT_URL and that the S3 server is running.`);
  }
  if (name === 'NoSuchBucket') {
    return new ConfigError(`The bucket ${JSON.stringify(location.bucket)} does not exist at ${where}. Create it (for example \`aws s3 mb s3://${location.bucket}\`) or fix ARTIFACTS_STORE.`);
  }
  if (name && CREDENTIALS.has(name)) {
    return new ConfigError(`The blob store at ${where} refused the credentials: ${detail} (${name}). Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's permissions.`);
  }
  return err;
}

/** Whether an S3 failure means "no such object". */
export function isNotFound(err: unknown): boolean {
  const name = s3ErrorName(err);
  const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
  return name === 'NotFound' || name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket');
}

/** The SHA-256 the server checks an upload against: a SHA-256 digest's own bytes, else computed here. */
export function sha256Base64(digest: string, bytes: Uint8Array): string {
  const { algorithm, hex } = parseDigest(digest);
  return Buffer.from(algorithm === 'sha256' ? hex : sha256(bytes), 'hex').toString('base64');
}
