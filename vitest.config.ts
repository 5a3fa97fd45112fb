import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn processes; two cores do not gain from more parallel files than this.
    maxWorkers: 2,
    pool: 'forks',
  },
})
