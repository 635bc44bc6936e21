import path from 'node:path';
import { blobStoreContract } from './contract/blob-store.contract';
import { tempDir } from './helpers';

blobStoreContract({ label: 'the local folder', create: async () => `file://${path.join(tempDir('artifacts-local-store-'), 'blobs')}` });
