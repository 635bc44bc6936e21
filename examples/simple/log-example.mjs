// The Quick start's main job: log a small example dataset on the embedded default (no configuration) and show
// the version it made. Running it twice shows that identical content returns the same version.
import { init, Artifact, Api } from 'temporal-artifacts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-example-'));
for (let i = 1; i <= 3; i++) fs.writeFileSync(path.join(data, `image${i}.png`), `pretend image ${i}\n`);
fs.writeFileSync(path.join(data, 'labels.csv'), 'file,label\nimage1.png,cat\nimage2.png,dog\nimage3.png,cat\n');

const run = await init({ project: 'quickstart' });
try {
  const artifact = new Artifact('example-images', 'dataset', { description: 'Three example images and their labels' });
  artifact.addDir(data, { name: 'images' });
  artifact.add({ columns: ['split', 'count'], rows: [['train', 2], ['test', 1]] }, 'splits');
  const logged = await run.logArtifact(artifact, { aliases: ['quickstart'] });
  console.log(`${logged.created ? 'logged' : 'unchanged'} ${logged.ref} (${logged.fileCount} files, digest ${logged.digest.slice(0, 12)})`);

  const shown = await new Api({ project: 'quickstart' }).artifact('example-images:latest');
  console.log(`example-images:latest -> ${shown.version}, aliases ${shown.aliases.join(', ')}`);
  for (const file of await shown.files()) console.log(`  ${file.path}  ${file.size} B  sha256:${file.digest.slice(0, 12)}`);
  const report = await shown.verify();
  console.log(`verify: ${report.ok ? 'ok' : 'FAILED'} (${report.checked} files re-hashed)`);
} finally {
  await run.finish();
  fs.rmSync(data, { recursive: true, force: true });
}
