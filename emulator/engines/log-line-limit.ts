import { OUTPUT_MARK_PREFIX } from '../providers/aws/output-marks';
import type { InstanceSpec } from './engine';
import { lineSplitter } from './line-splitter';
import type { RuntimeProvider } from './runtime-images';

interface LogLineLimit {
  bytes: number;
  /** Where the limit comes from, for the note that says a line was cut. */
  service: string;
}

/**
 * The longest line each cloud's log service keeps from a function's output: CloudWatch Logs
 * takes events of at most 256 KB, Cloud Logging entries of about 256 KB, Application Insights
 * trace messages of at most 32,768 characters. Longer lines are cut here too, which also keeps
 * one flooding instance from holding the emulator's memory.
 */
const LIMITS: Record<RuntimeProvider, LogLineLimit> = {
  aws: { bytes: 256 * 1024, service: 'CloudWatch Logs keeps at most 256 KB per event' },
  gcp: { bytes: 256 * 1024, service: 'Cloud Logging keeps at most 256 KB per entry' },
  azure: { bytes: 32 * 1024, service: 'Application Insights keeps at most 32 KB per trace' },
};

export function logLineLimit(provider: RuntimeProvider): LogLineLimit {
  return LIMITS[provider];
}

/** The line an engine writes after a cut one: what was dropped and why. */
export function cutLineNote(provider: RuntimeProvider, droppedBytes: number): string {
  const limit = LIMITS[provider];
  return `faasport: the line above was cut to ${limit.bytes / 1024} KB (${droppedBytes} bytes dropped): ${limit.service}`;
}

/** An instance's stream split into lines as its cloud's log service keeps them. */
export function instanceOutputLines(
  spec: Pick<InstanceSpec, 'provider' | 'onOutput'>,
  stream: 'stdout' | 'stderr',
): ReturnType<typeof lineSplitter> {
  return lineSplitter((line) => spec.onOutput(stream, line), {
    maxLineBytes: LIMITS[spec.provider].bytes,
    onCut: (dropped, tail) => {
      spec.onOutput(stream, cutLineNote(spec.provider, dropped));
      // A runtime client's end-of-invocation mark written after output without a newline ends
      // the cut line: it is passed on as the line it is, so the invocation ends without waiting.
      const mark = tail.lastIndexOf(OUTPUT_MARK_PREFIX);
      if (mark !== -1) spec.onOutput(stream, tail.slice(mark));
    },
  });
}
