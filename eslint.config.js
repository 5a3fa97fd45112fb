import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

// What the CLI side (core, bulk, commands) may not import.
const CLI_SIDE = [
  { group: ['**/server/**'], message: 'Reach the sandbox server through src/core/server-entry.ts only.' },
  { group: ['undici'], message: 'src/api is the only HTTP code.' },
  { group: ['**/commands/**'], message: 'Commands are leaves: share code through a module, not a command.' },
]

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
    },
  },
  // Imports go one way: commands → bulk → core → api; the server stands alone (docs/ARCHITECTURE.md).
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*', '../*', '**/*'],
              message: 'src/shared imports nothing: client and server both read it.',
            },
          ],
        },
      ],
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
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/bulk/**', '**/commands/**', '**/server/**', '@oclif/*'],
              message: 'src/api is the HTTP client: it imports nothing of the CLI or the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/bulk/**/*.ts', 'src/commands/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CLI_SIDE }] },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/server-entry.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CLI_SIDE,
            {
              group: ['**/bulk/**'],
              message: 'src/core is below src/bulk: bulk imports core, never the reverse.',
            },
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
