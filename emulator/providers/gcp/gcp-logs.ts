/**
 * Log lines in the shape Cloud Run's text view shows for a function (what `gcloud functions logs
 * read` / the console print): a timestamp, a severity, then the text; request lines carry method,
 * status, size, latency and URL. Output that is a JSON object with `severity` and `message` (the
 * structured logging agents read) shows that severity and message.
 */
export function outputLine(line: string, stream: 'stdout' | 'stderr', now = new Date()): string {
  let severity = stream === 'stderr' ? 'ERROR' : 'DEFAULT';
  let text = line;
  if (line.startsWith('{')) {
    try {
      const parsed = JSON.parse(line) as { severity?: unknown; message?: unknown };
      if (typeof parsed.severity === 'string') severity = parsed.severity.toUpperCase();
      if (typeof parsed.message === 'string') text = parsed.message;
    } catch {
      // not JSON after all: printed as it is
    }
  }
  return `${now.toISOString()} ${severity.padEnd(7)} ${text}`;
}

export function requestLine(input: {
  method: string;
  status: number;
  bytes: number;
  durationMs: number;
  url: string;
  now?: Date;
}): string {
  const severity = input.status >= 500 ? 'ERROR' : input.status >= 400 ? 'WARNING' : 'INFO';
  return `${(input.now ?? new Date()).toISOString()} ${severity.padEnd(7)} ${input.method} ${input.status} ${formatBytes(input.bytes)} ${Math.round(input.durationMs)} ms ${input.url}`;
}

/** What Cloud Run logs once a new instance passes its startup probe. */
export function startupProbeLine(instanceId: string, initMs: number, now = new Date()): string {
  return `${now.toISOString()} INFO    Default STARTUP TCP probe succeeded after ${Math.max(1, Math.round(initMs))} ms for instance ${instanceId.slice(0, 12)} on port $PORT.`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
