// Prebuilds the sandboxed workflow bundle once at build time, so a client's in-process worker starts in
// milliseconds instead of running webpack on every `artifacts` command.
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { code } = await bundleWorkflowCode({
  workflowsPath: path.join(root, 'dist', 'workflows', 'index.js'),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
fs.writeFileSync(path.join(root, 'dist', 'workflow-bundle.js'), code);
console.log(`bundled workflows -> dist/workflow-bundle.js (${(code.length / 1024).toFixed(0)} KiB)`);
