// The flood of `bench/flood.ts`, in its own process: requests without valid credentials on the
// public routes (bad bearer tokens, junk and oversized bodies, junk assertions at the token
// endpoint, discovery GETs), `--connections` at a time, spread over `--sources` loopback source
// addresses (127.0.0.2 …) so that a per-address rate limit alone does not stop it. Runs until the
// parent sends 'stop', then reports counts by status ({ counts }); meanwhile { sent } every 100.
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

const [host, port, connections, sources] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4] ?? 32), Number(process.argv[5] ?? 64)];
// The datastation's DID (so that the envelopes get past the recipient check to the token check).
const to = process.argv[6] ?? 'did:web:localhost%3A8443';
const agents = Array.from({ length: sources }, (_, i) => new Agent({ keepAlive: true, localAddress: `127.0.0.${2 + (i % 250)}` }));

const b64 = (n: number) => randomBytes(n).toString('base64url');
const junkJwt = () => `${b64(24)}.${b64(120)}.${b64(64)}`;
// A did:jwk with a fresh, padded key each time: what filled the caches before they were bounded.
const junkDid = () => `did:jwk:${Buffer.from(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: b64(32), pad: b64(2048) })).toString('base64url')}`;

type Shot = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string | Buffer };
const KINDS: (() => Shot)[] = [
  // a well-formed envelope to us (argv[6], or the default DID) with a bearer token nobody issued
  () => ({
    method: 'POST', path: '/api/verifiedsparql', headers: { 'content-type': 'application/json', authorization: `Bearer ${b64(32)}` },
    body: JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: `did:key:z6Mk${b64(32)}`, to, thread_id: randomUUID(), body: { message: junkJwt(), parameters: { jaar: 2025 } } }),
  }),
  // the same with a fresh padded did:jwk as sender
  () => ({
    method: 'POST', path: '/api/verifiedsparql', headers: { 'content-type': 'application/json', authorization: `Bearer ${junkJwt()}` },
    body: JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: junkDid(), to, thread_id: randomUUID(), body: { message: junkJwt() } }),
  }),
  // junk that is not JSON, and JSON that is no envelope, without any token
  () => ({ method: 'POST', path: '/api/verifiedsparql', headers: { 'content-type': 'application/json' }, body: `{"type": ${b64(200)}` }),
  () => ({ method: 'POST', path: '/api/verifiedsparql', headers: { 'content-type': 'application/json', authorization: `Bearer ${junkJwt()}` }, body: JSON.stringify({ a: [b64(4000)] }) }),
  // over the body limit
  () => ({ method: 'POST', path: '/api/verifiedsparql', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(1100 * 1024, 0x20) }),
  // the token endpoint: a junk assertion, and one "signed" by a fresh padded did:jwk
  () => ({
    method: 'POST', path: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', scope: 'verifiedsparql', assertion: junkJwt() }).toString(),
  }),
  () => {
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: `${junkDid()}#0` })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: 'x', aud: 'y', exp: 2 ** 40, vp: {} })).toString('base64url');
    return { method: 'POST', path: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'vp_token-bearer', scope: 'verifiedsparql', assertion: `${header}.${payload}.${b64(64)}` }).toString() };
  },
  () => ({ method: 'GET', path: '/.well-known/did.json', headers: {} }),
  () => ({ method: 'GET', path: `/%61pi/${b64(8)}`, headers: {} }),
];

const counts: Record<string, number> = {};
let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
});
// Every 100 answers the parent hears how many so far (a test waits for a minimum flood).
let answered = 0;
const progress = () => {
  if (++answered % 100 === 0 && !stopping) process.send!({ sent: answered });
};

function shoot(i: number, n: number): Promise<void> {
  const shot = KINDS[n % KINDS.length]!();
  return new Promise((done) => {
    const req = request({ host, port, method: shot.method, path: shot.path, headers: shot.headers, agent: agents[(i + n) % agents.length], timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        counts[String(res.statusCode)] = (counts[String(res.statusCode)] ?? 0) + 1;
        progress();
        done();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      counts[e.code ?? e.message] = (counts[e.code ?? e.message] ?? 0) + 1;
      progress();
      done();
    });
    req.end(shot.body);
  });
}

async function worker(i: number): Promise<void> {
  for (let n = i; !stopping; n += connections) await shoot(i, n);
}

process.send!('ready');
await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)));
process.send!({ counts });
for (const a of agents) a.destroy();
process.exit(0);
