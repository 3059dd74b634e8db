import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tests/e2e holds Playwright specs; vitest runs the Node-side suites only.
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
