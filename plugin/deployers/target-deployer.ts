import type { PlatformWanted } from '../../artifact/manifest/platform';
import type { Cloud } from '../../common/clouds';
import type { DeployUnit } from '../planner/deploy-units';
import type { DesiredSpec, ObservedSpec } from '../planner/diff';
import type { PlanRow } from '../planner/plan';
import type { ResolvedSource } from '../planner/resolved-source';

/** Progress lines for one function on one target (`creating`, `waiting for Active`, …). */
export type StepProgress = (message: string) => void;

/** A planned change with what it needs: the unit and its resolved artefact (absent for deletes). */
export interface PlannedStep {
  row: PlanRow;
  unit?: DeployUnit;
  source?: ResolvedSource;
}

/** `sls info` row: one function on one target. */
export interface DeployedInfo {
  function: string;
  name: string;
  target: Cloud;
  digest: string | undefined;
  state: string;
  lastUpdate: string | undefined;
  endpoint: string | undefined;
}

export interface InvokeResult {
  payload: string;
  functionError?: string;
  logTail?: string;
}

/**
 * What the planner and the commands need from one cloud. Every method that calls the cloud is
 * async; `check` never does (refusals come before any call).
 */
export interface TargetDeployer {
  readonly target: Cloud;
  /** The platform to pick from an index (images). */
  platformFor(unit: DeployUnit): PlatformWanted;
  /**
   * Refusals that need no cloud call: settings out of the cloud's bounds, a missing role, and —
   * once the artefact is resolved — a shape or registry the cloud cannot take. Throws a UserError
   * naming the serverless.yml path.
   */
  check(unit: DeployUnit, source?: ResolvedSource): void;
  desired(unit: DeployUnit, source: ResolvedSource): DesiredSpec;
  /** The deployed state of these functions, by deployed name. */
  observe(units: DeployUnit[]): Promise<Map<string, ObservedSpec>>;
  /**
   * Deployed names of the functions this service and stage own on the target, apart from
   * `except` (already known: not worth a call each).
   */
  listOwned(except?: ReadonlySet<string>): Promise<string[]>;
  apply(step: PlannedStep, progress: StepProgress): Promise<void>;
  describe(units: DeployUnit[]): Promise<DeployedInfo[]>;
  invoke(unit: DeployUnit, payload: string): Promise<InvokeResult>;
  close(): void;
}
