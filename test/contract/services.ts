import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The real PostgreSQL and S3 servers the tests use, as `scripts/setup-services.sh` starts them (npm test runs
 * it first). A test that needs one fails with the command to run when it is not there; nothing is skipped.
 */
const PG_URL = process.env['ARTIFACTS_TEST_POSTGRES_URL'] || 'postgres://artifacts:artifacts@127.0.0.1:15432/artifacts_test';
const S3_ENDPOINT = process.env['ARTIFACTS_TEST_S3_ENDPOINT'] || 'http://127.0.0.1:18333';
const S3_ACCESS_KEY = process.env['ARTIFACTS_TEST_S3_ACCESS_KEY'] || 'artifacts-test';
const S3_SECRET_KEY = process.env['ARTIFACTS_TEST_S3_SECRET_KEY'] || 'artifacts-test-secret';
export const TEST_BUCKET = 'artifacts-test';
const START = 'Start it with `bash scripts/setup-services.sh` (npm test runs it for you).';

/** The AWS variables that point the S3 store at the test server. */
export const s3Env = {
  AWS_ENDPOINT_URL: S3_ENDPOINT,
  AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
  AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/** A new, empty database on the test server; returns its URL and a function that drops it. */
export async function freshPostgresDb(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `artifacts_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`The PostgreSQL test server at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(err as Error).message}). ${START}`, { cause: err });
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

const testClient = (): S3Client =>
  new S3Client({ endpoint: S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY } });
const prefixesMade: string[] = [];

/**
 * An `s3://` URL with a prefix no other test uses, in a bucket that exists; sets the AWS variables in process.env.
 * Call `removeTestPrefixes` in afterAll so the test server does not fill up over many runs.
 */
export async function freshS3Url(): Promise<string> {
  Object.assign(process.env, s3Env);
  const s3 = testClient();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
      throw new Error(`The S3 test server at ${S3_ENDPOINT} is not usable (${name}: ${(err as Error).message}). ${START}`, { cause: err });
    }
  } finally {
    s3.destroy();
  }
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  prefixesMade.push(prefix);
  return `s3://${TEST_BUCKET}/${prefix}`;
}

/** Deletes every object under the prefixes this test file made. */
export async function removeTestPrefixes(): Promise<void> {
  const s3 = testClient();
  try {
    for (const prefix of prefixesMade.splice(0)) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }));
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: TEST_BUCKET, Delete: { Objects: keys, Quiet: true } }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  } finally {
    s3.destroy();
  }
}
