import type { CheckResult } from './check';

export const MINIMUM_NODE_MAJOR = 22;

export function checkNodeVersion(version: string): CheckResult {
  const major = Number(version.split('.')[0]);
  const name = 'Node.js';
  if (Number.isInteger(major) && major >= MINIMUM_NODE_MAJOR) {
    return { name, status: 'ok', required: true, detail: `v${version}` };
  }
  return {
    name,
    status: 'missing',
    required: true,
    detail: `v${version} is too old: faasport needs Node.js ${MINIMUM_NODE_MAJOR} or newer (install 22 or 24, e.g. \`nvm install 24\`)`,
  };
}
