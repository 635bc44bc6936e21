// Lint rules that matter here: no floating promises anywhere, and each folder imports only what its layer allows
// (eslint/boundaries.mjs): no Node built-ins or activity implementations inside sandboxed workflow code (they would
// break determinism or the bundle), nothing of Temporal in the store.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundariesConfig } from './eslint/boundaries.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', '.artifacts-bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The pages of `artifacts ui` are browser code with JSX: their own compiler settings (DOM, preact).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { parserOptions: { project: ['./web/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  boundariesConfig(import.meta.dirname),
  {
    // Functions read top-down and files hold one concept: past these sizes, split into named pieces (STYLE.md).
    // Tests are left out: a test reads best as one sentence-long scenario, and generated types are not written by hand.
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    ignores: ['test/**', '**/*.generated.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60 }],
      'max-lines': ['error', { max: 300 }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
  },
);
