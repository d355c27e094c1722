/** One line of `faasport doctor`: what was checked, what was found, and whether it blocks. */
export type CheckStatus = 'ok' | 'missing' | 'warn';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** A failed required check makes `faasport doctor` exit non-zero. */
  required: boolean;
  /** What was found, or what to do about it. Never a secret. */
  detail: string;
}

export interface DoctorReport {
  /** True when every required check is ok. */
  ok: boolean;
  checks: CheckResult[];
}

export function report(checks: CheckResult[]): DoctorReport {
  return { ok: checks.every((check) => !check.required || check.status === 'ok'), checks };
}
