/**
 * A URL fit for messages: origin and path only. Queries can hold upload state or pre-signed
 * storage signatures (ECR → S3), and user-info would be a credential.
 */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
