import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files only fight over them (and over the one Postgres).
    maxWorkers: 2,
    pool: 'forks',
    reporters: ['default'],
  },
});
