import { blobStoreContract } from './contract/blob-store.contract';
import { freshS3Url } from './contract/services';

blobStoreContract({ label: 'the S3 server', create: freshS3Url });
