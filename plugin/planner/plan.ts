import type { Cloud } from '../../common/clouds';
import { formatColumns } from '../../common/columns';

export type PlanAction = 'create' | 'update-code' | 'update-config' | 'no-op' | 'delete';

/** What an update has to change; `tagsOnly` = the code is in place, only its digest is unrecorded. */
export interface PlanChanges {
  code: boolean;
  tagsOnly: boolean;
  /** Names of the drifted settings, e.g. `MemorySize`. */
  config: string[];
}

/** One function on one target: what the deploy will do there, and why. */
export interface PlanRow {
  /** Key under `functions:` (the deployed name for deletes of functions no longer declared). */
  function: string;
  /** Deployed name, `<service>-<stage>-<function>`. */
  name: string;
  target: Cloud;
  action: PlanAction;
  reason: string;
  changes: PlanChanges;
  /** Artefact digest to record (absent for deletes). */
  digest?: string;
}

export const NO_CHANGES: PlanChanges = { code: false, tagsOnly: false, config: [] };

export function writes(row: PlanRow): boolean {
  return row.action !== 'no-op';
}

/** The plan as `--dry-run` prints it. */
export function formatPlan(rows: PlanRow[]): string {
  const sorted = [...rows].sort(
    (a, b) => a.target.localeCompare(b.target) || a.function.localeCompare(b.function),
  );
  const table = formatColumns(
    ['FUNCTION', 'TARGET', 'ACTION', 'REASON'],
    sorted.map((row) => [row.function, row.target, row.action, row.reason]),
  );
  const counts = new Map<PlanAction, number>();
  for (const row of rows) counts.set(row.action, (counts.get(row.action) ?? 0) + 1);
  const summary = [...counts].map(([action, count]) => `${count} ${action}`).join(', ');
  return `${table}\n\n${summary || 'nothing declared'}`;
}
