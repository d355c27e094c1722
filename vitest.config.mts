import { defineConfig } from 'vitest/config';

// Three projects: unit tests need nothing; integration and e2e tests get the real services
// (Docker engine, registries, skopeo, runtime images, frameworks) from one global setup.
const services = './test/setup/services.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [services],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [services],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
