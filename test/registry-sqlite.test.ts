import fs from 'node:fs';
import path from 'node:path';
import { registryContract } from './contract/registry.contract';
import { tempDir } from './helpers';

registryContract({
  label: 'SQLite',
  create: async () => {
    const dir = tempDir('artifacts-registry-');
    return { url: `sqlite://${path.join(dir, 'registry.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
});
