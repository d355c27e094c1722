import type { CheckResult } from './check';

export const MINIMUM_NODE_MAJOR = 22;

/**
 * The Node running faasport, and — when a checkout's `bin/faasport.js` re-ran itself on its
 * bundled Node because the user's was too old — the user's own (`userVersion`, e.g. `v20.19.2`).
 */
export function checkNodeVersion(version: string, userVersion?: string): CheckResult {
  const major = Number(version.split('.')[0]);
  const name = 'Node.js';
  if (Number.isInteger(major) && major >= MINIMUM_NODE_MAJOR) {
    const user = userVersion?.replace(/^v/, '');
    const detail =
      user && user !== version
        ? `v${version} runs faasport (this checkout's own); your node is v${user}, too old for faasport outside this checkout (install 22 or 24)`
        : `v${version}`;
    return { name, status: 'ok', required: true, detail };
  }
  return {
    name,
    status: 'missing',
    required: true,
    detail: `v${version} is too old: faasport needs Node.js ${MINIMUM_NODE_MAJOR} or newer (install 22 or 24, e.g. \`nvm install 24\`)`,
  };
}
