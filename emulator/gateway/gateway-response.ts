/** What the gateway writes back: headers may repeat (set-cookie). */
export interface GatewayResponse {
  status: number;
  headers: [name: string, value: string][];
  body: Buffer;
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: [string, string][] = [],
): GatewayResponse {
  return {
    status,
    headers: [['content-type', 'application/json'], ...headers],
    body: Buffer.from(JSON.stringify(body)),
  };
}
