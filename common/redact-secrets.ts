/**
 * Text from another program (an SDK's message, a credential helper's stderr) made safe to print:
 * anything that looks like a key, a token or a password is blanked, since such programs may
 * echo what they were given.
 */
export function redactSecrets(text: string): string {
  return (
    text
      // `password=…`, `"Secret":"…"`: the value goes whatever it looks like (a bare `Token: …`
      // is left alone, it is how AWS names errors such as `ExpiredToken: The security token…`)
      .replace(
        /(\b[\w-]*(?:secret|passw(?:or)?d|token|api[-_]?key)s?\s*=\s*|"[\w-]*(?:secret|passw(?:or)?d|token|api[-_]?key)s?"\s*:\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi,
        '$1[redacted]',
      )
      .replace(/\b(Bearer|Basic) [A-Za-z0-9._~+/-]{8,}=*/g, '$1 [redacted]')
      .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[access key id]')
      .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[token]')
      .replace(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g, (run) =>
        looksSecret(run) ? '[secret]' : run,
      )
      .replace(/[A-Za-z0-9+=_~-]{32,}/g, (run) => (looksSecret(run) ? '[secret]' : run))
  );
}

/** Upper- and lower-case letters and digits mixed: a key or a token rather than a word or an id. */
function looksSecret(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}
