/**
 * The JSON the emulator and its Azure worker exchange: Buffers travel as `{"$base64": "…"}`
 * (see emulator/runtimes/azure/worker.js, which does the same on its side).
 */
export function encodeWire(value: unknown): string {
  return JSON.stringify(tagBuffers(value));
}

export function decodeWire<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const keys = Object.keys(item);
      const base64 = (item as { $base64?: unknown }).$base64;
      if (keys.length === 1 && typeof base64 === 'string') return Buffer.from(base64, 'base64');
    }
    return item;
  }) as T;
}

/** Buffers become `{"$base64"}` before stringify (Buffer#toJSON would write an array of numbers). */
function tagBuffers(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $base64: value.toString('base64') };
  if (Array.isArray(value)) return value.map(tagBuffers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, tagBuffers(item)]));
  }
  return value;
}
