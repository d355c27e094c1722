/**
 * `requestContext.domainPrefix`: the first label of a named host (`abc` of
 * `abc.execute-api.eu-west-1.amazonaws.com`); for an address or `localhost`, which have none,
 * the API id — what the cloud's default domain would start with.
 */
export function domainPrefixOf(host: string | undefined, apiId: string): string {
  const name = (host ?? '').replace(/:\d+$/, '');
  if (!name.includes('.') || /^[\d.]+$/.test(name) || name.startsWith('[')) return apiId;
  return name.split('.')[0] || apiId;
}
