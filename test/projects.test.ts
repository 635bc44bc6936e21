import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, Artifact, init } from 'temporal-artifacts';
import { freshPostgresDb } from './contract/services';
import { cli, isolatedEnv, tempDir, writeFiles } from './helpers';

/** Registries the same behaviour is shown on: the embedded SQLite file and a PostgreSQL database. */
const BACKENDS = [
  { label: 'SQLite', registry: async () => ({ env: {}, drop: async () => undefined }) },
  { label: 'PostgreSQL', registry: async () => {
    const db = await freshPostgresDb();
    return { env: { ARTIFACTS_REGISTRY: db.url }, drop: db.drop };
  } },
];

describe.each(BACKENDS)('projects on $label', ({ registry }) => {
  let env: ReturnType<typeof isolatedEnv>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await registry();
    env = isolatedEnv(db.env);
    drop = db.drop;
  });
  afterAll(async () => drop());

  test('the same name in two projects is two histories: --project and ARTIFACTS_PROJECT pick one, ls lists one project', async () => {
    const vision = cli(['log', writeFiles({ 'a.txt': 'vision data' }), '--name', 'dataset', '--type', 'dataset', '--project', 'vision'], env);
    expect(vision.stderr).toBe('');
    expect(vision.stdout).toContain('created vision/dataset:v0');
    const nlp = cli(['log', writeFiles({ 'a.txt': 'nlp data' }), '--name', 'dataset', '--type', 'dataset'], { ...env, ARTIFACTS_PROJECT: 'nlp' });
    expect(nlp.stdout).toContain('created nlp/dataset:v0');

    const ls = cli(['ls', '--project', 'vision'], env);
    expect(ls.stdout).toContain('vision/dataset');
    expect(ls.stdout).not.toContain('nlp/');
    expect(cli(['ls'], env).stdout).toContain('No artifacts yet');
    const all = cli(['ls', '--all-projects'], env).stdout.split('\n').map((line) => line.split(/\s+/).slice(0, 4).join(' '));
    expect(all).toEqual(expect.arrayContaining(['PROJECT NAME TYPE VERSIONS', 'nlp nlp/dataset dataset 1', 'vision vision/dataset dataset 1']));

    const visionApi = new Api({ env, project: 'vision' });
    const nlpApi = new Api({ env: { ...env, ARTIFACTS_PROJECT: 'nlp' } });
    try {
      const [inVision, inNlp] = [await visionApi.artifact('dataset:v0'), await nlpApi.artifact('dataset')];
      expect(inVision).toMatchObject({ project: 'vision', name: 'vision/dataset', version: 'v0' });
      expect(inNlp).toMatchObject({ project: 'nlp', name: 'nlp/dataset', version: 'v0' });
      expect(inVision.digest).not.toBe(inNlp.digest);
      // A ref that names its project means the same from anywhere.
      expect((await nlpApi.artifact('vision/dataset:latest')).digest).toBe(inVision.digest);
      await expect(new Api({ env }).artifact('dataset')).rejects.toThrow('No artifact is named "dataset"');
    } finally {
      await visionApi.close();
      await nlpApi.close();
    }
  });

  test('init({ project }) logs into that project only, and a pipeline run with --project uses and produces there', async () => {
    Object.assign(process.env, env);
    const run = await init({ project: 'vision' });
    try {
      const logged = await run.logArtifact(new Artifact('dataset', 'dataset').addFile(path.join(writeFiles({ 'b.txt': 'more vision data' }), 'b.txt')));
      expect(logged).toMatchObject({ name: 'vision/dataset', version: 'v1', created: true });
    } finally {
      await run.finish();
    }
    const pipeline = path.join(tempDir(), 'train.yaml');
    fs.writeFileSync(pipeline, [
      'version: 1', 'name: train-in-project', 'steps:', '  train:', '    uses: ["dataset:latest"]',
      `    run: [node, -e, "require('fs').copyFileSync(process.argv[1] + '/dataset/b.txt', process.argv[2] + '/weights.txt')", "\${{ inputs }}", "\${{ outputs }}"]`,
      '    produces: { artifact: model, type: model }', '',
    ].join('\n'));
    const ran = cli(['run', pipeline, '--project', 'vision'], env);
    expect(ran.stderr).not.toContain('error');
    expect(ran.code).toBe(0);
    const api = new Api({ env, project: 'vision' });
    const nlp = new Api({ env, project: 'nlp' });
    try {
      const model = await api.artifact('model');
      expect(model.name).toBe('vision/model');
      expect(await model.lineage()).toMatchObject({ uses: ['vision/dataset:v1'] });
      expect((await nlp.versions('dataset')).map((v) => v.version)).toEqual(['v0']);
      await expect(nlp.artifact('model')).rejects.toThrow('No artifact is named "model" in project "nlp"');
    } finally {
      await api.close();
      await nlp.close();
    }
  });
});
