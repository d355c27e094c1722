import { defineConfig } from 'vitest/config';

// Four projects: unit tests need nothing; integration, e2e and fault tests get the real services
// (Docker engine, registries, skopeo, runtime images, frameworks) from one global setup. The
// fault suite (`npm run test:faults`) is a bounded mixed load with faults on both engines.
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
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: [services],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
