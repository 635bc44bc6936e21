// Incremental change, as the documentation shows it: take the latest version of a dataset, add one file, remove
// one, replace one, and save. Nothing of the base is downloaded or re-hashed; only the two new files are read.
import { Api, Artifact, init } from 'temporal-artifacts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-incremental-'));
const write = (name, text) => fs.writeFileSync(path.join(data, name), text);
write('file_to_remove.txt', 'a duplicate\n');
write('modified_file.txt', 'label: cat\n');
write('kept.txt', 'unchanged\n');

const run = await init({ project: 'incremental-example' });
const api = new Api({ project: 'incremental-example' });
try {
  const base = await run.logArtifact(new Artifact('my_artifact', 'dataset').addDir(data));
  console.log(`base ${base.ref}: ${base.fileCount} files`);

  write('file_to_add.txt', 'a new batch\n');
  write('modified_file.txt', 'label: dog (corrected)\n');
  const saved = await api.artifact('my_artifact:latest');
  const draft = saved.newDraft();
  draft.addFile(path.join(data, 'file_to_add.txt'));
  draft.remove('file_to_remove.txt');
  draft.addFile(path.join(data, 'modified_file.txt'));
  const v = await draft.save();
  console.log(`${v.ref} from ${v.basedOn}: +${v.changes.added} -${v.changes.removed} ~${v.changes.modified}; read ${v.stage.files} files, wrote ${v.chunksWritten} manifest chunks`);

  const diff = await v.diff(saved);
  for (const d of diff.entries) console.log(`  ${d.kind.padEnd(8)} ${d.path}`);
} finally {
  await run.finish();
  await api.close();
  fs.rmSync(data, { recursive: true, force: true });
}
