// Where the example runs find their image files: IMAGE_DIR when set (tests point all three runs at one
// folder), else a temp folder; a missing image is created with placeholder bytes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function sampleImage(name) {
  const dir = process.env.IMAGE_DIR ?? path.join(os.tmpdir(), 'artifacts-collaborative-example');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `pretend pixels of ${name}\n`);
  return file;
}

/** The draft the three runs share; DISTRIBUTED_ID overrides it so repeated demos start fresh drafts. */
export const distributedId = process.env.DISTRIBUTED_ID ?? 'my_dist_artifact';
