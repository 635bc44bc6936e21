import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SharedServices } from './contract/hosts';
import { cli, ROOT, tempDir } from './helpers';

/** Hosts that share only Temporal, PostgreSQL and S3, each with its own copy of the pipeline in a folder of its own. */
let services: SharedServices;
beforeAll(async () => {
  services = await SharedServices.open();
});
afterAll(() => services.close());

function host(name: string): { file: string; env: NodeJS.ProcessEnv; ran: () => string[] } {
  const dir = tempDir(`${name}-pipeline-`);
  fs.cpSync(path.join(ROOT, 'test', 'pipelines', 'cache-loop'), dir, { recursive: true });
  const counter = path.join(tempDir(), 'ran');
  return {
    file: path.join(dir, 'pipeline.yaml'),
    env: services.hostEnv(name, { STEP_COUNTER: counter }),
    ran: () => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean) : []),
  };
}

test('a step cached by one host is a hit on another host of the deployment, whose copy of the pipeline lives elsewhere', () => {
  const a = host('host-a');
  const first = cli(['run', a.file], a.env);
  expect(first.code, first.stderr).toBe(0);
  expect(a.ran()).toEqual(['prepare', 'train', 'evaluate']);

  const b = host('host-b');
  const second = cli(['run', b.file], b.env);
  expect(second.code, second.stderr).toBe(0);
  expect(b.ran()).toEqual([]);
  expect(second.stdout).toContain('0 versions created, 0 unchanged, 3 steps cached');
  const id = /started run (\S+)/.exec(second.stdout)![1]!;
  const status = JSON.parse(cli(['status', id, '--json'], b.env).stdout) as { steps: Record<string, { state: string; ref?: string }> };
  expect(status.steps).toMatchObject({ prepare: { state: 'cached', ref: 'loop-data:v0' }, train: { state: 'cached' }, evaluate: { state: 'cached', ref: 'loop-metrics:v0' } });
});
