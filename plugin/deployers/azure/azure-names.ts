import { createHash } from 'node:crypto';

const MAX_SITE_NAME = 60;

/**
 * The site name of a deployed function (`<service>-<stage>-<function>`), within Azure's rules:
 * 2–60 lowercase letters, digits and hyphens, starting and ending with a letter or digit (it is
 * also the `<name>.azurewebsites.net` host). Too long → cut, with a hash of the full name so two
 * long names stay apart. Idempotent: a site name maps to itself.
 */
export function siteNameOf(deployedName: string): string {
  const cleaned = deployedName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = cleaned.length >= 2 ? cleaned : `fn-${cleaned}`.replace(/-+$/, '-x');
  if (name.length <= MAX_SITE_NAME) return name;
  const hash = createHash('sha256').update(deployedName).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_SITE_NAME - 9).replace(/-+$/, '')}-${hash}`;
}
