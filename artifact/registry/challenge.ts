/** One challenge of a `WWW-Authenticate` header (RFC 7235): scheme plus auth-params. */
export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/=]/;

/**
 * Parses every challenge in a header value. Handles several challenges in one header (folded
 * by fetch with ", "), quoted values containing commas and escaped quotes, and token68 forms.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skip = (pattern: RegExp) => {
    while (i < n && pattern.test(header.charAt(i))) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header.charAt(i))) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = '';
    i++; // opening quote
    while (i < n && header.charAt(i) !== '"') {
      if (header.charAt(i) === '\\' && i + 1 < n) i++;
      value += header.charAt(i);
      i++;
    }
    i++; // closing quote
    return value;
  };

  let current: Challenge | undefined;
  while (i < n) {
    skip(/[\s,]/);
    if (i >= n) break;
    const token = readToken();
    if (token === '') {
      i++; // stray character: ignore it rather than loop
      continue;
    }
    skip(/[ \t]/);
    if (current && header.charAt(i) === '=' && header.charAt(i + 1) !== '=') {
      i++;
      skip(/[ \t]/);
      current.params[token.toLowerCase()] = header.charAt(i) === '"' ? readQuoted() : readToken();
      continue;
    }
    // a new scheme; it may carry a token68 instead of params
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
    const afterScheme = i;
    while (i < n && TOKEN68_CHAR.test(header.charAt(i))) i++;
    const candidate = header.slice(afterScheme, i);
    const next = header.slice(i).trimStart().charAt(0);
    if (candidate !== '' && (next === '' || next === ',') && !/^[^=]+=[^=]/.test(candidate)) {
      current.params.token68 = candidate;
    } else {
      i = afterScheme;
    }
  }
  return challenges;
}

/** Prefer Bearer (scoped tokens) over Basic when a registry offers both. */
export function preferredChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
