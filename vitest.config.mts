import { defineConfig } from 'vitest/config';

// Four projects: unit tests need nothing; integration, e2e and fault tests get the real services
// (Docker engine, registries, skopeo, runtime images, frameworks) from one global setup. The
// fault suite (`npm run test:faults`) is a bounded mixed load with faults on both engines.
//
// The projects run one after another (`groupOrder`). Unit, integration and e2e files run two at a
// time: most of their time is spent waiting on child processes (sls, the emulator, containers), and
// every test uses its own ports, temp dirs and registry repositories. The fault suite runs alone,
// last: it measures the emulator's memory and answer times under a load it controls.
const services = './test/setup/services.ts';
const inParallel = { maxWorkers: 2 };
const alone = { maxWorkers: 1 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          ...inParallel,
          sequence: { groupOrder: 0 },
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          ...inParallel,
          sequence: { groupOrder: 1 },
          globalSetup: [services],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...inParallel,
          sequence: { groupOrder: 2 },
          globalSetup: [services],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          ...alone,
          sequence: { groupOrder: 3 },
          globalSetup: [services],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
