import { randomBytes } from 'node:crypto';
import { afterAll, expect, test } from 'vitest';
import { ConfigError } from 'temporal-artifacts';
import { Store } from 'temporal-artifacts/internal';
import { freshS3Url, removeTestPrefixes, s3Env, TEST_BUCKET } from './contract/services';
import { tempDir, b3 } from './helpers';

afterAll(removeTestPrefixes);

test('an unreachable PostgreSQL registry says where it looked and which setting to check, without the password', async () => {
  const opening = Store.fromConfig({ home: tempDir(), registryUrl: 'postgres://artifacts:secret-pw@127.0.0.1:1/nowhere' });
  await expect(opening).rejects.toBeInstanceOf(ConfigError);
  await expect(opening).rejects.toThrow(/^Cannot reach the registry at postgres:\/\/artifacts:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED.*Check ARTIFACTS_REGISTRY/);
  await expect(opening).rejects.not.toThrow(/secret-pw/);
});

test('a PostgreSQL database that does not exist is reported as a configuration error', async () => {
  const url = (process.env['ARTIFACTS_TEST_POSTGRES_URL'] || 'postgres://artifacts:artifacts@127.0.0.1:15432/artifacts_test').replace(/\/[^/]*$/, '/no_such_database');
  await expect(Store.fromConfig({ home: tempDir(), registryUrl: url })).rejects.toThrow(/Cannot reach the registry at .*no_such_database.*does not exist.*\(3D000\)/);
});

test('an unknown registry or store scheme names the ones that work', async () => {
  await expect(Store.fromConfig({ home: tempDir(), registryUrl: 'mysql://x/y' })).rejects.toThrow(/use sqlite:\/\/\/path or postgres:\/\//);
  await expect(Store.fromConfig({ home: tempDir(), blobUrl: 'gs://bucket' })).rejects.toThrow(/use file:\/\/\/path or s3:\/\/bucket\/prefix/);
  await expect(Store.fromConfig({ home: tempDir(), blobUrl: 's3://Bad_Bucket' })).rejects.toThrow(/Invalid blob store URL "s3:\/\/Bad_Bucket".*Check ARTIFACTS_STORE/);
});

test('an unreachable S3 endpoint, a missing bucket and wrong credentials each say what to check', async () => {
  await freshS3Url();
  const bytes = randomBytes(100);
  const open = async (url: string, env: Record<string, string>) => {
    const saved = { ...process.env };
    Object.assign(process.env, s3Env, env);
    try {
      return await Store.fromConfig({ home: tempDir(), blobUrl: url });
    } finally {
      process.env = saved;
    }
  };
  const unreachable = await open(`s3://${TEST_BUCKET}/x`, { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
  await expect(unreachable.blobs.putBytes(bytes)).rejects.toThrow(/^Cannot reach the blob store at s3:\/\/artifacts-test\/x \(endpoint http:\/\/127\.0\.0\.1:1\): .*Check AWS_ENDPOINT_URL/);
  // Reads, since SeaweedFS creates a missing bucket on the first write by an admin identity.
  const noBucket = await open('s3://never-created-bucket/x', {});
  await expect(noBucket.blobs.getBytes(b3(bytes))).rejects.toThrow(
    /^The bucket "never-created-bucket" does not exist at s3:\/\/never-created-bucket\/x .*Create it .* or fix ARTIFACTS_STORE/);
  const badKey = await open(`s3://${TEST_BUCKET}/x`, { AWS_SECRET_ACCESS_KEY: 'wrong' });
  await expect(badKey.blobs.putBytes(bytes)).rejects.toThrow(/refused the credentials.*Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
});
