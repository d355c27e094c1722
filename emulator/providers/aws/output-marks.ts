/** What faasport's runtime clients write on stdout and stderr to end an invocation's output. */
export const OUTPUT_MARK_PREFIX = 'faasport-output-mark ';

type Stream = 'stdout' | 'stderr';

/**
 * An instance's output arrives through its engine (a pipe, or docker's attach stream) on its own
 * schedule, possibly after the invocation's result. faasport's runtime clients end each
 * invocation's output with a mark line on both streams, so the lines before the marks are known
 * to be the invocation's own before its END and REPORT are written.
 */
export class OutputMarks {
  private readonly seen = new Map<string, Set<Stream>>();
  private readonly waiters = new Map<string, () => void>();

  /** True when `line` is a mark (it is not output to show). */
  take(stream: Stream, line: string): boolean {
    if (!line.startsWith(OUTPUT_MARK_PREFIX)) return false;
    const requestId = line.slice(OUTPUT_MARK_PREFIX.length).trim();
    const streams = this.seen.get(requestId) ?? new Set<Stream>();
    streams.add(stream);
    this.seen.set(requestId, streams);
    if (streams.size === 2) this.waiters.get(requestId)?.();
    return true;
  }

  /** Resolves once both marks of the request arrived, or after `boundMs` (a stream was lost). */
  async wait(requestId: string, boundMs: number): Promise<void> {
    if ((this.seen.get(requestId)?.size ?? 0) < 2) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, boundMs);
        this.waiters.set(requestId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.seen.delete(requestId);
    this.waiters.delete(requestId);
  }
}
