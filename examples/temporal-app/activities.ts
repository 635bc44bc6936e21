// The app's own activities. Each writes its files into `outputsDir()` and returns it; the workflow hands that to
// an artifact call, which stages the folder on this host and removes it once the version is committed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, keptAlive, outputsDir, type HostFolder } from 'temporal-artifacts';

/** Downloads a version into a temporary folder, runs `use` on it and removes the folder. */
async function withVersion<T>(ref: string, use: (dir: string) => T): Promise<T> {
  const api = new Api();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-app-'));
  try {
    await (await api.artifact(ref)).download(dir);
    return use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await api.close();
  }
}

/** "Training": a model whose one weight is the dataset's mean line length. Each activity heartbeats while it runs. */
export const train = keptAlive(async (datasetRef: string): Promise<HostFolder> => {
  const lines = await withVersion(datasetRef, (dir) => fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)));
  const weight = lines.reduce((n, l) => n + l.length, 0) / Math.max(1, lines.length);
  const out = outputsDir();
  fs.writeFileSync(path.join(out.dir!, 'model.json'), JSON.stringify({ weight, trainedOn: datasetRef }));
  return out;
});

/** "Evaluation" of one shard: a deterministic accuracy from the model's weight and the shard number. */
export const evaluate = keptAlive(async (modelRef: string, shard: number, shards: number): Promise<HostFolder> => {
  const { weight } = await withVersion(modelRef, (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weight: number });
  const accuracy = Math.min(1, 0.8 + ((weight + shard) % 10) / 100);
  const out = outputsDir();
  fs.writeFileSync(path.join(out.dir!, `metrics-${shard}.json`), JSON.stringify({ shard, shards, accuracy }));
  return out;
});

/** The mean accuracy over every shard's metrics file in a version. */
export const meanAccuracy = keptAlive(async (metricsRef: string): Promise<number> => {
  const scores = await withVersion(metricsRef, (dir) => fs.readdirSync(dir).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { accuracy: number }).accuracy));
  return scores.reduce((a, b) => a + b, 0) / scores.length;
});
