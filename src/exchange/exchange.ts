// One credentialed question, from receipt to answer: log receipt → token → envelope → presentation
// and credentials → validated queries → run → release (now, or queued for a person) → log the
// answer. Every step is an audit entry carrying the thread id; a failure at any step becomes an
// error report with its code, and is logged. Nothing is answered that could not be logged: the
// reply waits until every entry of the request is fsynced (see Trail).
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { recordActivityAsync, type AuditInput } from '../audit/index.js';
import type { ProfileRegistry } from '../profiles/index.js';
import { QueryError, checkParameterCount, listNames, resultset, type QueryPool } from '../query/index.js';
import { SCOPE, allowedAddress, literalHost, type Trust } from '../trust/index.js';
import { contentForAudit, digestForAudit, unauthenticatedForAudit } from './content.js';
import { errorReport, parseRequest, RESPONSE, threadOf, type RequestMessage } from './envelope.js';
import { ExchangeError, failure } from './errors.js';
import { resolveQuestion, undeclaredParameters, type Question } from './questions.js';
import { releaseMode, type ReleaseQueue } from './release.js';
import type { Deliverer } from './delivery.js';

export interface ExchangeDeps {
  config: Config;
  trust: Trust;
  registry: ProfileRegistry;
  pool: QueryPool;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  /** The generation the pool serves (undefined before the first import). */
  generation: () => string | undefined;
}

export interface Outcome {
  status: number;
  /** The message to send back, as JSON text. */
  body: string;
  code?: string;
  /** The presenter, once the token was checked (for rate limiting and metrics). */
  requester?: string;
}

const messageKey = (message: RequestMessage) => `msg ${message.from} ${message.jti}`;

/** Characters of a refusal's reason kept in the log. */
const MAX_REASON = 512;

interface Answered {
  question: Question;
  json: string;
  rows: number;
  ms: number;
}

export class Exchange {
  constructor(private readonly deps: ExchangeDeps) {}

  get ratePerMinute(): number {
    return this.deps.config.exchange.ratePerMinute;
  }


  async handle(authorization: string | undefined, raw: unknown): Promise<Outcome> {
    const { config, trust } = this.deps;
    const ids = threadOf(raw);
    const claimedFrom = raw && typeof raw === 'object' ? (raw as { from?: unknown }).from : undefined;
    // The token first (in memory, cheap): until it is checked, thread and sender are mere claims
    // and the log keeps them apart, as hashes, with the request's size and hash only.
    let requester: string | undefined;
    let refused: unknown;
    try {
      requester = trust.tokens.check(authorization, SCOPE, typeof claimedFrom === 'string' ? claimedFrom : undefined).subject;
    } catch (error) {
      refused = error;
    }
    const thread_id = requester ? ids.thread_id : undefined;
    const who = requester ? { thread_id, actor: requester } : unauthenticatedForAudit({ from: claimedFrom, thread_id: (raw as { thread_id?: unknown } | null)?.thread_id });
    const report = (f: { status: number; code: string; text: string }): Outcome => ({
      status: f.status,
      code: f.code,
      body: JSON.stringify(errorReport(trust.did, ids.from, ids.thread_id, f.code, f.text)),
      ...(requester ? { requester } : {}),
    });
    const trail = new Trail(config.dataDir);
    try {
      trail.add({ ...who, activity: 'received', request: digestForAudit(JSON.stringify(raw ?? null)) });
      if (refused) {
        const f = failure(refused, false);
        trail.add({ ...who, activity: 'rejected', code: f.code, status: f.status });
        await trail.durable();
        return report(f);
      }
    } catch (error) {
      return report(failure(error, false));
    }
    const subject = requester!; // refused above when the token did not check
    try {
      trail.add({ thread_id, actor: subject, activity: 'token-checked' });
      const message = this.checkEnvelope(parseRequest(raw));
      const vp = await trust.verifier.verify(message.body.message, message.from);
      // Its jti is used up only now that the presentation verified: a forgery cannot burn it.
      if (!trust.replay.use(messageKey(message), this.messageUntil(message), trust.verifier.now())) throw new ExchangeError('replayed_message', message.jti);
      trail.add({
        thread_id,
        actor: subject,
        activity: 'presentation-verified',
        vp_jti: vp.jti,
        credentials: vp.credentials.map((c) => ({ id: c.id, type: c.type, issuer: c.issuer, profile: c.profile, ontology: c.ontology })),
      });
      const parameters = message.body.parameters ?? {};
      checkParameterCount(parameters);
      const questions = vp.credentials.map((c) => resolveQuestion(c, this.deps.registry, parameters, config.query));
      const undeclared = undeclaredParameters(questions, parameters);
      if (undeclared.length) throw new QueryError('unknown_parameter', listNames(undeclared));
      trail.add({
        thread_id,
        actor: subject,
        activity: 'query-validated',
        questions: questions.map((q) => ({ id: q.id, profile: q.profile, version: q.version, parameters: q.parameters, query: q.prepared.text })),
      });
      const manual = questions.some((q) => releaseMode(config, { profile: q.profile, indicator: q.id, requester: subject }) === 'manual');
      if (manual && !message.reply_url) throw new ExchangeError('bad_reply_url', 'a question released by hand is answered asynchronously: reply_url is required');
      const generation = this.deps.generation();
      if (!generation) throw new ExchangeError('no_dataset');

      const answers = await Promise.all(questions.map((q) => this.run(q)));
      for (const a of answers) trail.add({ thread_id, actor: trust.did, activity: 'executed', indicator: a.question.id, generation, rows: a.rows, ms: Math.round(a.ms) });
      const body = responseText(trust.did, message, answers);

      if (!manual) {
        await trail.durable(); // answer-sent only after every step before it is on disk
        trail.add({ thread_id, actor: trust.did, activity: 'answer-sent', to: subject, release: 'auto', content: contentForAudit(body, config.exchange.auditMaxContentBytes) });
        await trail.durable();
        return { status: 200, body, requester: subject };
      }
      const item = this.deps.queue.add(
        {
          id: randomUUID(),
          thread_id: message.thread_id,
          requester: subject,
          reply_url: message.reply_url!,
          received: new Date().toISOString(),
          questions: answers.map((a) => ({ id: a.question.id, profile: a.question.profile, version: a.question.version, title: a.question.indicator.title, parameters: a.question.parameters, rows: a.rows, query: a.question.prepared.text })),
          preview: Object.fromEntries(answers.map((a) => [a.question.id, preview(a.json, config.exchange.previewRows)])),
        },
        body,
      );
      await trail.durable();
      trail.add({ thread_id, actor: trust.did, activity: 'queued-for-release', release: item.id, reply_url: item.reply_url });
      await trail.durable();
      return { status: 202, body: JSON.stringify({ status: 'accepted', thread_id: message.thread_id, release_id: item.id, reply_url: item.reply_url }), requester: subject };
    } catch (error) {
      const f = failure(error);
      try {
        // An authenticated requester's refusal keeps its reason, bounded.
        trail.add({ thread_id, actor: subject, activity: 'rejected', code: f.code, status: f.status, reason: f.text.slice(0, MAX_REASON) });
        await trail.durable();
      } catch (auditError) {
        return report(failure(auditError));
      }
      if (f.code === 'internal_error') console.error(error);
      return report(f);
    }
  }

  /** Rules 3 and 4: recipient, reply_url, expiry, replay. */
  private checkEnvelope(message: RequestMessage): RequestMessage {
    const { trust, config } = this.deps;
    if (message.to !== trust.did) throw new ExchangeError('wrong_recipient', message.to);
    if (message.reply_url !== undefined) {
      let url: URL;
      try {
        url = new URL(message.reply_url);
      } catch {
        throw new ExchangeError('bad_reply_url', 'not a URL');
      }
      if (url.protocol !== 'https:' && !(config.exchange.allowHttpReplyUrl && url.protocol === 'http:')) throw new ExchangeError('bad_reply_url', `${url.protocol} is not accepted`);
      if (url.username || url.password) throw new ExchangeError('bad_reply_url', 'credentials in the URL');
      // An address literal is checked now; a name is resolved, checked and pinned at delivery.
      const literal = literalHost(url);
      const loopbackName = /^localhost\.?$/i.test(url.hostname);
      if ((literal && !allowedAddress(literal, { allowLoopback: config.exchange.allowLoopbackReplyUrl })) || (loopbackName && !config.exchange.allowLoopbackReplyUrl)) {
        throw new ExchangeError('bad_reply_url', 'the host is not a public address');
      }
    }
    const now = trust.verifier.now();
    const skew = config.trust.clockSkewSeconds;
    if (message.exp !== undefined && message.exp <= now - skew) throw new ExchangeError('message_expired');
    if (message.exp !== undefined && message.exp > now + config.trust.maxPresentationSeconds + skew) throw new ExchangeError('message_lifetime_too_long');
    if (trust.replay.has(messageKey(message), now)) throw new ExchangeError('replayed_message', message.jti);
    return message;
  }

  /** How long a message id stays used: its expiry, or the longest lifetime accepted. */
  private messageUntil(message: RequestMessage): number {
    const { config, trust } = this.deps;
    return (message.exp ?? trust.verifier.now() + config.trust.maxPresentationSeconds) + config.trust.clockSkewSeconds;
  }

  private async run(question: Question): Promise<Answered> {
    const parts: string[] = [];
    const result = await this.deps.pool.run({ text: question.prepared.engineText, vars: question.prepared.vars, format: 'json' }, (chunk) => void parts.push(chunk));
    return { question, json: parts.join(''), rows: result.rows, ms: result.totalMs };
  }
}

/**
 * The entries of one request: appended in order as its steps happen and fsynced by group commit
 * while the work goes on. The final entry (answer-sent, queued-for-release) is added only once
 * all before it are durable, and nothing is sent before it is too: a request waits for about two
 * fsyncs (shared with concurrent requests), not one per step. Once an entry failed, the next
 * step is refused (the request becomes an audit failure; its refusal is still logged).
 */
class Trail {
  private readonly pending: Promise<unknown>[] = [];
  private failure: Error | undefined;

  constructor(private readonly dataDir: string) {}

  add(entry: AuditInput): void {
    if (this.failure && entry.activity !== 'rejected') throw this.failure;
    const appended = recordActivityAsync(this.dataDir, entry);
    appended.catch((error: Error) => (this.failure ??= error)); // awaited in durable()
    this.pending.push(appended);
  }

  async durable(): Promise<void> {
    await Promise.all(this.pending);
  }
}

/** The response message around the SPARQL JSON results, without re-parsing them. */
function responseText(ownDid: string, message: RequestMessage, answers: Answered[]): string {
  const head = { type: RESPONSE, jti: randomUUID(), from: ownDid, to: message.from, thread_id: message.thread_id, iat: Math.floor(Date.now() / 1000) };
  const parts = answers.map((a, i) => (i === 0 ? resultset.open(a.question.id) : resultset.next(a.question.id)) + a.json);
  const body = answers.length ? parts.join('') + resultset.close() : '{"resultset":[]}';
  return `${JSON.stringify(head).slice(0, -1)},"body":${body}}`;
}

function preview(json: string, rows: number): unknown {
  const parsed = JSON.parse(json) as { head?: unknown; results?: { bindings: unknown[] }; boolean?: boolean };
  if (!parsed.results) return parsed;
  return { head: parsed.head, results: { bindings: parsed.results.bindings.slice(0, rows) }, total: parsed.results.bindings.length };
}
