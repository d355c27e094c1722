/**
 * Texts of `Warning: 299 - "text"` headers (RFC 7234 §5.5, used by registries for deprecation
 * notices). Several warnings may be folded into one header, comma-separated.
 */
export function parseWarnings(header: string | null): string[] {
  if (!header) return [];
  const texts: string[] = [];
  const pattern = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (const match of header.matchAll(pattern)) {
    if (match[1] === '299' && match[2]) texts.push(match[2].replace(/\\(.)/g, '$1'));
  }
  return texts;
}
