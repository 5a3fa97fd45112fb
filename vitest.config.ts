import { configDefaults, defineConfig } from 'vitest/config'

// Files that put the machine under load on purpose (dozens of concurrent CLI processes, SIGKILL loops,
// rate-limit runs, fuzzing). They run one at a time, after everything else, so that they neither starve
// nor are starved by other files on a 2-core machine.
const LOAD = [
  'test/e2e/wallet-safety.test.ts',
  'test/e2e/bulk-crash.test.ts',
  'test/e2e/bulk-throttle.test.ts',
  'test/e2e/bulk-jobs-crash.test.ts',
  'test/e2e/bulk-shards.test.ts',
  'test/hardening/**/*.test.ts',
  // One npm install of the packed build (dependencies from npm's cache or the registry).
  'test/package/installed.test.ts',
]

const FAST = ['test/unit/**/*.test.ts', 'test/inproc/**/*.test.ts']

export default defineConfig({
  test: {
    // Generous: e2e tests spawn many processes on a 2-core machine; these bound hangs, they time nothing.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    pool: 'forks',
    // A temporary root per run, which must be empty at the end (test/helpers/tmp.ts).
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        // The fast ring: pure units and commands run in process against a sandbox (no spawn, no dist/).
        // `npm run test:fast` runs just this.
        extends: true,
        test: { name: 'fast', include: FAST, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...LOAD, ...FAST],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'load', include: LOAD, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
