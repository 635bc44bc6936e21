import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { expect, test } from 'vitest';
// @ts-expect-error: a plain ES module of the lint config, without type declarations
import { boundariesConfig } from '../eslint/boundaries.mjs';
import { ROOT } from './helpers';

/** Lints `code` as if it were the file `file` of this repository, with the project's import boundaries. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, boundariesConfig(ROOT)],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.line}: ${m.message}`);
}

test('workflow code that imports a Node built-in, the activities folder or the DSL loader fails lint', async () => {
  const fixture = [
    "import fs from 'node:fs';",
    "import { createActivities } from '../activities';",
    "import { stageActivity } from '../activities/stage-activity';",
    "import { loadPipeline } from '../dsl/load';",
    "import { readFileSync } from 'fs';",
  ].join('\n');
  expect(await boundaryErrors('workflows/lint-fixture.ts', fixture)).toMatchInlineSnapshot(`
    [
      "1: 'workflows/' may not import 'node:fs'. See ARCHITECTURE.md for who may import whom.",
      "2: 'workflows/' may not import '../activities'. See ARCHITECTURE.md for who may import whom.",
      "3: 'workflows/' may not import '../activities/stage-activity'. See ARCHITECTURE.md for who may import whom.",
      "4: 'workflows/' may not import '../dsl/load'. See ARCHITECTURE.md for who may import whom.",
      "5: 'workflows/' may not import 'fs'. See ARCHITECTURE.md for who may import whom.",
    ]
  `);
});

test('workflow code may import the workflow SDK, pure modules, and types from anywhere', async () => {
  const fixture = [
    "import { proxyActivities } from '@temporalio/workflow';",
    "import type { ArtifactActivities } from '../activities';",
    "import { type Store } from '../store/store';",
    "import { renderTemplate } from '../dsl/expressions';",
    "import { ArtifactsError } from '../errors';",
    "import { logArtifactWorkflow } from './log-workflow';",
  ].join('\n');
  expect(await boundaryErrors('workflows/lint-fixture.ts', fixture)).toEqual([]);
});

test('store code may not import Temporal, not even its types, nor the layers above it', async () => {
  const fixture = [
    "import type { Client } from '@temporalio/client';",
    "import { Context } from '@temporalio/activity';",
    "import { createActivities } from '../activities';",
    "import { Session } from '../client/session';",
    "import { readManifest } from './manifest/manifest';",
  ].join('\n');
  expect(await boundaryErrors('store/lint-fixture.ts', fixture)).toMatchInlineSnapshot(`
    [
      "1: 'store/' may not import '@temporalio/client' (even as a type). See ARCHITECTURE.md for who may import whom.",
      "2: 'store/' may not import '@temporalio/activity'. See ARCHITECTURE.md for who may import whom.",
      "3: 'store/' may not import '../activities'. See ARCHITECTURE.md for who may import whom.",
      "4: 'store/' may not import '../client/session'. See ARCHITECTURE.md for who may import whom.",
    ]
  `);
});

test('the CLI stands on the client only: Temporal, the runtime, the store and the DSL fail lint, even as types', async () => {
  const fixture = [
    "import { WorkflowNotFoundError } from '@temporalio/client';",
    "import { ensureDevServer } from '../../runtime/dev-server';",
    "import { Store } from '../../store/store';",
    "import { safeLoadPipeline } from '../../dsl/load';",
    "import type { PipelineStatus } from '../../workflows/pipeline-types';",
    "import { Api, init, type PipelineRunResult } from '../../client';",
    "import { UsageError } from '../../errors';",
    "import { formatBytes } from '../output';",
  ].join('\n');
  expect(await boundaryErrors('cli/commands/lint-fixture.ts', fixture)).toMatchInlineSnapshot(`
    [
      "1: 'cli/' may not import '@temporalio/client'. See ARCHITECTURE.md for who may import whom.",
      "2: 'cli/' may not import '../../runtime/dev-server'. See ARCHITECTURE.md for who may import whom.",
      "3: 'cli/' may not import '../../store/store'. See ARCHITECTURE.md for who may import whom.",
      "4: 'cli/' may not import '../../dsl/load'. See ARCHITECTURE.md for who may import whom.",
      "5: 'cli/' may not import '../../workflows/pipeline-types' (even as a type). See ARCHITECTURE.md for who may import whom.",
    ]
  `);
});

test('the web view stands on the client like the CLI, and its pages import only the front-end libraries and the API types', async () => {
  const server = [
    "import { Store } from '../store/store';",
    "import { Client } from '@temporalio/client';",
    "import { Api } from '../client';",
    "import http from 'node:http';",
  ].join('\n');
  expect(await boundaryErrors('ui/lint-fixture.ts', server)).toEqual([
    "1: 'ui/' may not import '../store/store'. See ARCHITECTURE.md for who may import whom.",
    "2: 'ui/' may not import '@temporalio/client'. See ARCHITECTURE.md for who may import whom.",
  ]);
  const page = [
    "import fs from 'node:fs';",
    "import { Api } from '../client';",
    "import { startUiServer } from '../ui/server';",
    "import type { LineageJson } from '../ui/api-types';",
    "import { render } from 'preact';",
    "import { layout } from '@dagrejs/dagre';",
  ].join('\n');
  expect(await boundaryErrors('web/lint-fixture.ts', page)).toEqual([
    "1: 'web/' may not import 'node:fs'. See ARCHITECTURE.md for who may import whom.",
    "2: 'web/' may not import '../client'. See ARCHITECTURE.md for who may import whom.",
    "3: 'web/' may not import '../ui/server'. See ARCHITECTURE.md for who may import whom.",
  ]);
});
