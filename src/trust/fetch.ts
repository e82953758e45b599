// Bounded fetch for DID documents and status lists: https only (plain http only when configured,
// for loopback tests), a timeout and a size limit, so a slow or huge answer cannot stall a request.
export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  allowInsecureHttp: boolean;
}

export async function fetchBounded(url: string, limits: FetchLimits, accept: string): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !(limits.allowInsecureHttp && parsed.protocol === 'http:')) {
    throw new Error(`only https URLs are fetched (${parsed.protocol})`);
  }
  const response = await fetch(parsed, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'error', headers: { accept } });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${parsed.origin}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) throw new Error(`answer over ${limits.maxBytes} bytes`);
  if (!response.body) throw new Error('empty answer');
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const value of response.body as AsyncIterable<Uint8Array>) {
    size += value.byteLength;
    if (size > limits.maxBytes) throw new Error(`answer over ${limits.maxBytes} bytes`);
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}
