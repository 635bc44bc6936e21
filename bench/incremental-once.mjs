// One step of the incremental benchmark, in a process of its own so its time and peak RSS are its own.
// `base N`: logs a base of N references (checksum: false, so the base is pure metadata).
// `saves N ROUNDS FILES`: saves drafts of 10 adds, 10 removes and 10 replacements (tiny local files) on top of
// latest, as a later process would. Prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { Api, Artifact, configFromEnv, init, Store, versionDigestOf } from '../dist/internal.js';

const [mode, size, roundsArg, files] = process.argv.slice(2);
const n = Number(size);
const rounds = Number(roundsArg ?? 3);
const name = `incremental-${n}`;
// Spread over the artifact: consecutive k land in different folders, so each change touches its own leaf.
const spot = (r, k) => (k * Math.floor(n / 10) + k * 97 + r * 10) % n;
const entryName = (i) => `images/${String(i % 1000).padStart(3, '0')}/img-${String(i).padStart(7, '0')}.png`;

const run = await init();
const api = new Api();
const blobsDir = path.join(process.env.ARTIFACTS_HOME, 'blobs', 'sha256');
const storeBytes = () => {
  let total = 0;
  for (const shard of fs.readdirSync(blobsDir)) for (const f of fs.readdirSync(path.join(blobsDir, shard))) total += fs.statSync(path.join(blobsDir, shard, f)).size;
  return total;
};

if (mode === 'base') {
  const t = process.hrtime.bigint();
  const base = new Artifact(name, 'dataset');
  for (let i = 0; i < n; i++) base.addReference(`s3://bench-bucket/raw/${i}.png`, { name: entryName(i), checksum: false });
  const v0 = await run.logArtifact(base);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  await run.finish();
  await api.close();
  console.log(JSON.stringify({ n, files: v0.fileCount, seconds, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

let t;
const saves = [];
for (let r = 0; r < rounds; r++) {
  const before = storeBytes();
  t = process.hrtime.bigint();
  const draft = (await api.artifact(`${name}:latest`)).newDraft();
  for (let k = 0; k < 10; k++) draft.addFile(path.join(files, `add-${r}-${k}.png`), { name: `images/${String(spot(r, k) % 1000).padStart(3, '0')}/new-${r}-${k}.png` });
  for (let k = 0; k < 10; k++) draft.remove(entryName(spot(r, k) + 1));
  for (let k = 0; k < 10; k++) draft.addFile(path.join(files, `fix-${r}-${k}.png`), { name: entryName(spot(r, k) + 5) });
  const draftSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const v = await run.logArtifact(draft);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const newBytes = storeBytes() - before;
  if (v.changes.added !== 10 || v.changes.removed !== 10 || v.changes.modified !== 10) throw new Error(`unexpected changes ${JSON.stringify(v.changes)}`);
  saves.push({ seconds, draftSeconds, chunkBytes: v.chunkBytes, chunksWritten: v.chunksWritten, newMetadataBytes: newBytes - v.stage.bytesWritten, addedFileBytes: v.stage.bytesWritten });
}

t = process.hrtime.bigint();
const last = await api.artifact(`${name}:latest`);
const diff = await last.diff(await api.artifact(`${name}:v0`));
const diffSeconds = Number(process.hrtime.bigint() - t) / 1e9;

// The one O(entries) step of a save, timed alone: streaming the leaves into the canonical version digest.
const store = await Store.fromConfig(configFromEnv());
t = process.hrtime.bigint();
await versionDigestOf(store.blobs, last.record.manifest.root);
const digestSeconds = Number(process.hrtime.bigint() - t) / 1e9;
await store.close();

await run.finish();
await api.close();
console.log(JSON.stringify({ n, saves, digestSeconds, diff: { seconds: diffSeconds, changes: diff.entries.length, chunksRead: diff.chunksRead } }));
