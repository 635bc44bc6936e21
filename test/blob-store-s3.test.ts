import { blobStoreContract } from './contract/blob-store.contract';
import { afterAll } from 'vitest';
import { freshS3Url, removeTestPrefixes } from './contract/services';

blobStoreContract({ label: 'the S3 server', create: freshS3Url });

afterAll(removeTestPrefixes);
