import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: e2e tests spawn many processes on a 2-core machine; these bound hangs, they time nothing.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // e2e tests spawn processes; two cores do not gain from more parallel files than this.
    maxWorkers: 2,
    pool: 'forks',
  },
})
