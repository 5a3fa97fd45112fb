import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'dist.*/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Commands and the API client must not reach into the sandbox server; it is started through
      // src/server/sandbox.ts only (see docs/ARCHITECTURE.md).
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/api/**', '**/commands/**', '**/bulk/**', '@oclif/*'],
              message: 'src/server is independent of the CLI.',
            },
          ],
        },
      ],
    },
  },
  {
    // The SQLite seam is shared by the server and the bulk journal: it depends on neither.
    files: ['src/sqlite/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/api/**', '**/commands/**', '**/bulk/**', '**/server/**', '@oclif/*'],
              message: 'src/sqlite imports nothing of the project.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/commands/**/*.ts', 'src/core/**/*.ts', 'src/bulk/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '!**/server/sandbox.js'],
              message: 'Start the sandbox through src/server/sandbox.ts only.',
            },
            { group: ['undici'], message: 'src/api is the only HTTP code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    // Plain-JS scripts (bin/, bench/, scripts/) run on Node: its globals are defined.
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'fetch',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
          'performance',
          'AbortController',
          'TextDecoder',
          'TextEncoder',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  prettier,
)
