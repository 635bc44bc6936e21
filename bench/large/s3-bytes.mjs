// The large suite's S3 side: the test server (start it with `bash scripts/setup-services.sh`), a bucket of the bench's own, and
// what a prefix holds, summed over its objects (the bytes a version really added, whatever our counters say).
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const BUCKET = 'artifacts-bench';

export async function s3Setup() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const env = {
    AWS_ENDPOINT_URL: process.env.ARTIFACTS_TEST_S3_ENDPOINT || 'http://127.0.0.1:18333',
    AWS_ACCESS_KEY_ID: process.env.ARTIFACTS_TEST_S3_ACCESS_KEY || 'artifacts-test',
    AWS_SECRET_ACCESS_KEY: process.env.ARTIFACTS_TEST_S3_SECRET_KEY || 'artifacts-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const client = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (err) {
    if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') {
      throw new Error(`The S3 test server at ${env.AWS_ENDPOINT_URL} is not usable (${err.name}: ${err.message}). Start it with \`bash scripts/setup-services.sh\`, or leave S3 out with --parts single,edit.`, { cause: err });
    }
  }
  return { client, env, bucket: BUCKET, endpoint: env.AWS_ENDPOINT_URL };
}

/** Bytes of every object under `prefix/`; with `remove`, deletes them as well. */
export async function bucketBytes(s3, prefix, { remove = false } = {}) {
  let total = 0;
  let token;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
    const objects = page.Contents ?? [];
    for (const o of objects) total += o.Size ?? 0;
    if (remove && objects.length) await s3.client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: objects.map((o) => ({ Key: o.Key })), Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return total;
}
