// ESLint for the frontend: `npm run lint` (also part of `make test-lint`).
//
// TypeScript 7 (the `tsc` that `npm run typecheck` and the build use, installed as `typescript7`)
// has no JavaScript API yet, and typescript-eslint parses with that API. So the `typescript`
// package is TypeScript 6's compatibility package (`@typescript/typescript6`), which only ESLint
// uses — the side-by-side setup the TypeScript 7 release describes.

import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist', 'node_modules'] },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: {
      'react-hooks': reactHooks,
    },
    rules: {
      // Only the two classic hook rules: the React Compiler rules of the plugin's preset
      // describe code written for the compiler, which this project does not use.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // `_`-prefixed names are the convention for a value deliberately left unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['vite.config.ts', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
)
