import type { DoctorHost } from '../../../cli/doctor/host';

/** A machine made of an environment and a set of existing (and executable) paths. */
export function fakeHost(
  options: {
    env?: Record<string, string>;
    files?: string[];
    executables?: string[];
    nodeVersion?: string;
  } = {},
): DoctorHost {
  const files = new Set(options.files ?? []);
  const executables = new Set(options.executables ?? []);
  return {
    env: options.env ?? {},
    home: '/home/tester',
    cwd: '/work/service',
    nodeVersion: options.nodeVersion ?? '24.1.0',
    exists: (path) => files.has(path) || executables.has(path),
    isExecutable: (path) => executables.has(path),
  };
}
