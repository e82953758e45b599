// The requester's side of an exchange, as a client: a token from /oauth2/token for a presentation
// of the question credentials, then the question as a basic message with a fresh presentation (a
// presentation is used once: the same one for token and question is `replayed_presentation`).
// `datastation ask` and `datastation demo` both speak through this.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { Parties, SCOPE } from '../trust/index.js';
import { parseParams } from './engine.js';
import { CliError } from './errors.js';
import { formatJsonTable } from './table.js';
import { printable, printableLine, safeJsonText } from './sanitize.js';

export interface AskInput {
  /** The datastation's base URL, e.g. https://datastation.example or http://127.0.0.1:8443. */
  url: string;
  parties: Parties;
  holder: string;
  /** The datastation's DID (the audience of both presentations). */
  audience: string;
  /** Question-credential JWTs. */
  credentials: string[];
  parameters: Record<string, unknown>;
  replyUrl?: string;
  threadId?: string;
}

export interface AskResult {
  status: number;
  text: string;
  thread_id: string;
}

export async function askDatastation(input: AskInput): Promise<AskResult> {
  const base = input.url.replace(/\/$/, '');
  // JWTs copied from files or terminals carry newlines and spaces; the token endpoint reads them as malformed_jwt.
  const credentials = input.credentials.map((c) => c.trim());
  const assertion = await input.parties.present(input.holder, input.audience, credentials);
  const tokenResponse = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: SCOPE }),
  });
  const token = (await tokenResponse.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!tokenResponse.ok || !token.access_token) {
    throw new CliError(`the token endpoint refused (HTTP ${tokenResponse.status}): ${printable(`${token.error ?? 'no error code'}${token.error_description ? `: ${token.error_description}` : ''}`, 300)}`);
  }
  const thread_id = input.threadId ?? randomUUID();
  const message = {
    type: 'v1/basic-message/request',
    jti: randomUUID(),
    from: input.holder,
    to: input.audience,
    thread_id,
    ...(input.replyUrl ? { reply_url: input.replyUrl } : {}),
    body: { message: await input.parties.present(input.holder, input.audience, credentials), parameters: input.parameters },
  };
  const response = await fetch(`${base}/api/verifiedsparql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  return { status: response.status, text: await response.text(), thread_id };
}

/** The answer message's result sets as tables. */
export function resultTables(message: string): string {
  const { body } = JSON.parse(message) as { body: { resultset: { id: string; result: unknown }[] } };
  return body.resultset.map((r) => `[${printableLine(r.id, 200)}]\n${printable(formatJsonTable(JSON.stringify(r.result)), 1 << 20)}`).join('\n');
}

async function datastationDid(base: string): Promise<string> {
  const response = await fetch(`${base.replace(/\/$/, '')}/.well-known/did.json`);
  const doc = (await response.json().catch(() => ({}))) as { id?: unknown };
  if (!response.ok || typeof doc.id !== 'string' || !doc.id.startsWith('did:')) throw new CliError(`${base}/.well-known/did.json gives no DID document (HTTP ${response.status}); pass --audience <did>`);
  return doc.id;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAskCommand(program: Command, _config: () => Config): void {
  program
    .command('ask')
    .description("a requester's client: get a token for your question credentials, ask the question, print the answer")
    .argument('<url>', "the datastation's base URL")
    .requiredOption('--holder <did-or-alias>', 'the requester (an identity in --dir)')
    .requiredOption('--credential <file...>', 'files holding question-credential JWTs (- for stdin)')
    .option('--audience <did>', "the datastation's DID (default: from <url>/.well-known/did.json)")
    .option('--param <name=value>', 'parameter value (repeatable)', collect, [])
    .option('--reply-url <url>', 'where a manually released answer is delivered')
    .option('--thread <id>', 'thread id (default: a fresh UUID)')
    .option('-f, --format <format>', 'table | json (the answer message as it came)', 'table')
    .option('--dir <dir>', 'where the test-only identities are kept', 'credentials/test-only')
    .action(async (url: string, opts: { holder: string; credential: string[]; audience?: string; param: string[]; replyUrl?: string; thread?: string; format: string; dir: string }) => {
      if (!/^https?:\/\//.test(url)) throw new CliError(`the datastation URL must start with https:// (or http:// on loopback), got "${printable(url, 200)}"`);
      if (!['table', 'json'].includes(opts.format)) throw new CliError(`unknown format ${printable(opts.format, 50)}; use table or json`);
      const parties = await Parties.open(opts.dir);
      const holder = (await parties.find(opts.holder)).did;
      const credentials = opts.credential.map((f) => readFileSync(f === '-' ? 0 : f, 'utf8'));
      const audience = opts.audience ?? (await datastationDid(url));
      const result = await askDatastation({
        url, parties, holder, audience, credentials, parameters: parseParams(opts.param),
        ...(opts.replyUrl ? { replyUrl: opts.replyUrl } : {}), ...(opts.thread ? { threadId: opts.thread } : {}),
      });
      if (result.status === 200) {
        console.log(opts.format === 'json' ? safeJsonText(result.text) : resultTables(result.text));
        return;
      }
      const body = (() => {
        try {
          return JSON.parse(result.text) as { release_id?: string; body?: { code?: string; message?: string } };
        } catch {
          return {};
        }
      })();
      if (result.status === 202) {
        console.log(`accepted (thread ${result.thread_id}): the answer waits for manual release as ${printableLine(body.release_id ?? '?', 100)}${opts.replyUrl ? ` and goes to ${printableLine(opts.replyUrl)}` : ''}`);
        return;
      }
      // The datastation's error report: one code and one sentence.
      const code = body.body?.code ?? 'no error code';
      const text = body.body?.message;
      throw new CliError(`the datastation refused the question (HTTP ${result.status}): ${printable(`${code}${text ? `: ${text}` : ''}`, 300)}`);
    });
}
