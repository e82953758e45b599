// Bounded, address-filtered requests for DID documents, status lists and asynchronous answers:
// https only (plain http only when configured, for loopback tests), public addresses only (the
// connection pinned to the address that was checked), no redirects, a timeout and a size limit,
// so a slow, huge or internal target cannot stall a request or be reached through us. Errors say
// what went wrong, never the target.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AddressError, resolveAllowed, type AddressPolicy } from './address.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  allowInsecureHttp: boolean;
}

export interface PinnedRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  allowHttp: boolean;
  policy: AddressPolicy;
}

export { AddressError } from './address.js';

/** One request to `target`, connected to the checked address only. */
export async function pinnedRequest(target: string, options: PinnedRequest): Promise<{ status: number; text: string }> {
  const parts: Buffer[] = [];
  const status = await pinnedStream(target, options, (chunk) => void parts.push(chunk));
  return { status, text: Buffer.concat(parts).toString('utf8') };
}

/**
 * The same request with the answer's bytes handed to `sink` as they arrive (a download to a file,
 * never held in memory whole); resolves with the status once the answer ended within the limits.
 */
export async function pinnedStream(target: string, options: PinnedRequest, sink: (chunk: Buffer) => void): Promise<number> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new AddressError('not a URL');
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) throw new AddressError(`only https URLs are fetched (${url.protocol})`);
  if (url.username || url.password) throw new AddressError('credentials in the URL');
  const pinned = await resolveAllowed(url, options.policy);
  const pin: LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: options.method, headers: options.headers, lookup: pin, timeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs) }, (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > options.maxBytes) {
        res.destroy();
        return reject(new Error(`answer over ${options.maxBytes} bytes`));
      }
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          res.destroy();
          reject(new Error(`answer over ${options.maxBytes} bytes`));
        } else sink(chunk);
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => reject(new Error('the answer was cut off')));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.name === 'AbortError' || error.message === 'timed out' ? 'timed out' : `connection failed (${error.code ?? 'error'})`)));
    req.end(options.body);
  });
}

export async function fetchBounded(url: string, limits: FetchLimits, accept: string): Promise<string> {
  const { status, text } = await pinnedRequest(url, {
    method: 'GET',
    headers: { accept },
    timeoutMs: limits.timeoutMs,
    maxBytes: limits.maxBytes,
    allowHttp: limits.allowInsecureHttp,
    // Loopback only where plain http is allowed too: loopback tests.
    policy: { allowLoopback: limits.allowInsecureHttp },
  });
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
  return text;
}
