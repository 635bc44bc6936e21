import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const __dirname = path.dirname(fileURLToPath(import.meta.url));

// Tests import the package by its published name; it resolves to the build that `npm test` makes first,
// the same code the CLI and worker processes that tests spawn are running.
export default defineConfig({
  resolve: {
    alias: {
      'temporal-artifacts/dsl': path.resolve(__dirname, 'dist/dsl/index.js'),
      'temporal-artifacts/internal': path.resolve(__dirname, 'dist/internal.js'),
      'temporal-artifacts/workflows': path.resolve(__dirname, 'dist/workflows/index.js'),
      'temporal-artifacts': path.resolve(__dirname, 'dist/index.js'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
