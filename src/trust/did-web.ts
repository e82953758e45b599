// did:web resolution that works offline: documents kept in a folder are used first; going online
// is optional and bounded (https, timeout, size limit). Tests therefore never need the internet.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DIDDocument, DIDResolutionResult, DIDResolver, ParsedDID } from 'did-resolver';
import { fetchBounded, type FetchLimits } from './fetch.js';

export interface DidWebOptions extends FetchLimits {
  documentsDir: string;
  online: boolean;
}

/** The file a did:web document is kept under in the documents folder. */
export function didDocumentFileName(did: string): string {
  const name = `${did.replace(/:/g, '_')}.json`;
  // A separator or a control character would put the document elsewhere (x/../../identity/did).
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(name)) throw new Error('a DID with a path separator cannot name a document file');
  return name;
}

const HOST = /^[A-Za-z0-9.-]+(%3A[0-9]{1,5})?$/i;
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * https://host[:port]/path/did.json, or /.well-known/did.json without a path (did:web spec §3.2).
 * Only the port's %3A is decoded: any other escape (%2F, %3F, %40 …) would change which URL is
 * fetched, so such a DID is refused.
 */
export function didWebUrl(did: string, scheme = 'https'): string {
  const [host = '', ...path] = did.slice('did:web:'.length).split(':');
  if (!HOST.test(host) || !path.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..')) throw new Error('not a did:web this datastation resolves');
  return `${scheme}://${host.replace(/%3A/i, ':')}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

function failure(error: string, message: string): DIDResolutionResult {
  return { didResolutionMetadata: { error, message }, didDocument: null, didDocumentMetadata: {} };
}

export function didWebResolver(options: DidWebOptions): Record<string, DIDResolver> {
  const resolve: DIDResolver = async (did: string, parsed: ParsedDID) => {
    const file = join(options.documentsDir, didDocumentFileName(parsed.did));
    let text: string;
    try {
      if (existsSync(file)) text = readFileSync(file, 'utf8');
      else if (options.online) text = await fetchBounded(didWebUrl(parsed.did, options.allowInsecureHttp ? 'http' : 'https'), options, 'application/did+json, application/json');
      else return failure('notFound', `no local document for ${parsed.did} and online resolution is off`);
    } catch (error) {
      return failure('notFound', (error as Error).message);
    }
    let doc: DIDDocument;
    try {
      doc = JSON.parse(text) as DIDDocument;
    } catch {
      return failure('invalidDidDocument', 'the DID document is not JSON');
    }
    if (doc.id !== parsed.did) return failure('invalidDidDocument', `the document is for ${String(doc.id)}, not ${parsed.did}`);
    return { didResolutionMetadata: { contentType: 'application/did+json' }, didDocument: doc, didDocumentMetadata: {} };
  };
  return { web: resolve };
}
