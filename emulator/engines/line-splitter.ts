/** Turns a byte stream into complete lines (the last partial line is flushed at the end). */
export function lineSplitter(emit: (line: string) => void): { write(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    write(chunk) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) emit(line);
    },
    end() {
      if (rest) emit(rest);
      rest = '';
    },
  };
}
