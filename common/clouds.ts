/**
 * The clouds faasport deploys to and emulates: the one list. Per-cloud tables are typed
 * `Record<Cloud, …>`, so adding a cloud here makes the compiler point at every table to fill in.
 */
export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
export type Cloud = (typeof CLOUDS)[number];

export function isCloud(value: unknown): value is Cloud {
  return typeof value === 'string' && (CLOUDS as readonly string[]).includes(value);
}
