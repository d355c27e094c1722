/**
 * An error caused by the user's input or environment: printed as a message and a hint, never
 * as a stack trace. Anything else that escapes is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** What to do about it, one sentence. */
  readonly hint: string | undefined;
  /** Process exit code for the CLI: 1 for failures, 2 for usage mistakes. */
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** One line for a user: the message, then the hint if there is one. */
export function formatUserError(error: UserError): string {
  return error.hint ? `${error.message}\n  → ${error.hint}` : error.message;
}
