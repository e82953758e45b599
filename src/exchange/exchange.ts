// One credentialed question, from receipt to answer: log receipt → token → envelope → presentation
// and credentials → validated queries → run → release (now, or queued for a person) → log the
// answer. Every step is an audit entry carrying the thread id; a failure at any step becomes an
// error report with its code, and is logged. Nothing is answered that could not be logged: the
// reply waits until every entry of the request is fsynced (see Trail).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Config } from '../config/index.js';
import type { ProfileRegistry } from '../profiles/index.js';
import { QueryError, checkParameterCount, listNames, resultset, type QueryRunner } from '../query/index.js';
import { TrustError, allowedAddress, literalHost, type Trust, type VerifiedPresentation } from '../trust/index.js';
import { validateParamsShacl } from '../validate/index.js';
import { contentForAudit, digestForAudit, unauthenticatedForAudit } from './content.js';
import { errorReport, parseRequest, threadOf, type MessageForm, type RequestMessage } from './envelope.js';
import { looksLikeDidcomm, parseDidcomm, problemReport } from './didcomm.js';
import { ExchangeError, failure } from './errors.js';
import { resolveQuestion, undeclaredParameters, type Question } from './questions.js';
import { releaseRule, type AppliedRule, type ReleaseItem, type ReleaseQueue } from './release.js';
import { countColumns, smallCellsOf, type SmallCell } from './small-cells.js';
import type { Deliverer } from './delivery.js';
import { Admission } from './admission.js';
import { StreamClosed, startAnswer } from './stream.js';
import { Trail } from './trail.js';
import { envelopeAround, once, preview, responseObject, responseText, type Answered, type ParsedAnswer } from './response.js';

export interface ExchangeDeps {
  config: Config;
  trust: Trust;
  registry: ProfileRegistry;
  pool: QueryRunner;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  /** The generation the pool serves (undefined before the first import). */
  generation: () => string | undefined;
}

export interface Outcome {
  status: number;
  /** The message to send back, as JSON text. */
  body: string;
  /** Instead of `body`: the answer as it streams (status 200); cut off on a failure mid-way. */
  stream?: Readable;
  code?: string;
  /** The presenter, once the token was checked (for rate limiting and metrics). */
  requester?: string;
  /** Seconds for a Retry-After header (admission refusals). */
  retryAfter?: number;
}


/** Characters of a refusal's reason kept in the log. */
const MAX_REASON = 512;


export class Exchange {
  readonly admission: Admission;

  constructor(private readonly deps: ExchangeDeps) {
    this.admission = new Admission(deps.config.exchange.concurrency);
  }

  get ratePerMinute(): number {
    return this.deps.config.exchange.ratePerMinute;
  }


  /** A refusal in the form the question came in. */
  private report(form: MessageForm, to: string | undefined, threadId: string | undefined, code: string, text: string): string {
    const { trust, config } = this.deps;
    return JSON.stringify(form === 'didcomm' ? problemReport(trust.did, to, threadId, code, text, config.exchange.didcomm) : errorReport(trust.did, to, threadId, code, text));
  }

  /**
   * `form`: what the route knows from the content type; otherwise read from the body's shape.
   * `received`: the body's text as it arrived (the receipt logs its hash), when `raw` was parsed from it.
   */
  async handle(authorization: string | undefined, raw: unknown, form: MessageForm = looksLikeDidcomm(raw) ? 'didcomm' : 'basic', received?: string): Promise<Outcome> {
    const { config, trust } = this.deps;
    const ids = threadOf(raw);
    const claimedFrom = raw && typeof raw === 'object' ? (raw as { from?: unknown }).from : undefined;
    // Until the token is checked (inside trust.authorize: in memory, or at the Nuts node), thread
    // and sender are mere claims: the log keeps them apart, as hashes, with the request's size
    // and hash only, and a refusal tells the sender nothing of its own input.
    let requester: string | undefined;
    const thread_id = ids.thread_id;
    const unauthenticated = () => unauthenticatedForAudit({ from: claimedFrom, thread_id: ids.thread_id });
    const report = (f: { status: number; code: string; text: string }): Outcome => ({
      status: f.status,
      code: f.code,
      body: this.report(form, ids.from, ids.thread_id, f.code, f.text),
      ...(requester ? { requester } : {}),
      ...(f.code === 'requester_busy' || f.code === 'server_busy' ? { retryAfter: config.exchange.concurrency.retryAfterSeconds } : {}),
    });
    const trail = new Trail(config.dataDir);
    // Receipt is logged under the thread once the token is the sender's, else as a claim.
    const request = digestForAudit(received ?? JSON.stringify(raw ?? null));
    let receiptLogged = false;
    let release: (() => void) | undefined;
    let streaming = false;
    const logReceipt = (who: { thread_id?: string | undefined; actor: string }) => {
      receiptLogged = true;
      trail.add({ ...who, activity: 'received', form, request });
    };
    try {
      const message = this.checkEnvelope(form === 'didcomm' ? parseDidcomm(raw, config.exchange.didcomm) : parseRequest(raw));
      const authorized = await trust.authorize({ authorization, message }, (who) => {
        requester = who;
        logReceipt({ thread_id, actor: who });
        trail.add({ thread_id, actor: who, activity: 'token-checked' });
      });
      const subject = (requester = authorized.requester);
      // A place in the datastation before any query work; refused at once when this requester
      // (or everyone) already has its share.
      release = await this.admission.acquire(subject);
      const vp = authorized.presentation;
      // The question is validated (and, answered at once, run) while the replay record of the
      // presentation is fsynced: its result stays here, and nothing is logged as verified or
      // answered, until that record is on disk. A validation failure is logged after it.
      let questions: Question[] = [];
      let invalid: Error | undefined;
      try {
        questions = await this.validate(vp.credentials, message.parameters ?? {});
      } catch (error) {
        invalid = error instanceof Error ? error : new Error(String(error));
      }
      const rules = questions.map((q) => releaseRule(config, { profile: q.profile, indicator: q.id, requester: subject }));
      const rule: AppliedRule = rules.find((r) => r.mode === 'manual') ?? rules[0] ?? { mode: config.exchange.defaultRelease, rule: 'default' };
      let manual = rule.mode === 'manual';
      const { minGroupSize, smallCells: policy } = config.exchange;
      // The published text (the same for every parameter value: parsed once); where it cannot be
      // parsed before its placeholders are filled ($(name)), the text that ran.
      const counted = questions.map((q) => (minGroupSize > 1 ? (countColumns(q.indicator.text) ?? countColumns(q.prepared.text)) : []));
      // One question released automatically, with no small-cell check to wait for, may stream.
      const streamable = !manual && questions.length === 1 && counted.every((c) => c?.length === 0);
      const generation = this.deps.generation();
      // (a streamable answer runs in the streaming path below, after the entries before it)
      const early = invalid === undefined && !manual && !streamable && generation ? Promise.all(questions.map((q) => this.run(q))) : undefined;
      // Its outcome, once known (reported below, after the entries before it). An answer ready by the
      // time the replay record is durable (the answer cache) is taken without another await: its
      // entries and the ones before it then go to the log in one group commit, one fsync, not two.
      let ran: { answers: Answered[] } | { error: unknown } | undefined;
      early?.then((answers) => (ran = { answers }), (error: unknown) => (ran = { error }));
      await authorized.durable;
      trail.add({
        thread_id,
        actor: subject,
        activity: 'presentation-verified',
        vp_jti: vp.jti,
        credentials: vp.credentials.map((c) => ({ id: c.id, type: c.type, issuer: c.issuer, profile: c.profile, ontology: c.ontology })),
      });
      if (invalid !== undefined) throw invalid;
      trail.add({
        thread_id,
        actor: subject,
        activity: 'query-validated',
        questions: questions.map((q) => ({ id: q.id, profile: q.profile, version: q.version, parameters: q.parameters, query: q.prepared.text })),
      });
      // DIDComm carries no reply URL: in nuts mode the requester's registered message endpoint is
      // looked up at the node, and the delivery asks our node for a token to it.
      let replyUrl = message.reply_url;
      let replyAuth: ReleaseItem['replyAuth'];
      const findReplyUrl = async () => {
        if (replyUrl || message.form !== 'didcomm' || !trust.replyEndpoint) return;
        const found = await trust.replyEndpoint(subject);
        checkReplyUrl(found.url, config);
        replyUrl = found.url;
        replyAuth = { requester: subject, ...(found.authServerUrl ? { authServerUrl: found.authServerUrl } : {}) };
        trail.add({ thread_id, actor: trust.did, activity: 'reply-endpoint-found', to: subject, reply_url: replyUrl });
      };
      if (manual) await findReplyUrl();
      if (manual && !replyUrl) throw new ExchangeError('bad_reply_url', 'a question released by hand is answered asynchronously: reply_url is required');
      if (!generation) throw new ExchangeError('no_dataset');

      let answers: Answered[];
      if (streamable) {
        const question = questions[0]!;
        const [prefix, suffix] = envelopeAround(trust.did, message, config);
        const t0 = performance.now();
        const started = await startAnswer({
          run: (sink, onResult) => this.deps.pool.run({ ...this.request(question), onResult }, sink),
          thresholdBytes: Math.max(config.exchange.auditMaxContentBytes, 64 * 1024),
          prefix: prefix + resultset.open(question.id),
          suffix: resultset.close() + suffix,
          beforeFirstByte: async ({ rows, cached }) => {
            trail.add({ thread_id, actor: trust.did, activity: 'executed', indicator: question.id, generation, rows, ms: Math.round(performance.now() - t0), ...(cached ? { cached } : {}) });
            trail.addLast({ thread_id, actor: trust.did, activity: 'answer-started', to: subject, release: 'auto', rule: rule.rule, generation });
            await trail.durable();
          },
          beforeLastBytes: async (sent) => {
            trail.addLast({ thread_id, actor: trust.did, activity: 'answer-sent', to: subject, release: 'auto', rule: rule.rule, streamed: true, ms: Math.round(performance.now() - t0), content: sent });
            await trail.durable();
          },
          aborted: async (error) => {
            const f = error instanceof StreamClosed ? { code: error.code, text: error.message } : failure(error);
            trail.add({ thread_id, actor: trust.did, activity: 'answer-aborted', code: f.code, reason: f.text.slice(0, MAX_REASON) });
            await trail.durable();
          },
        });
        if (started.kind === 'streaming') {
          // The admission place is held until the last byte is out (or the stream is cut off).
          streaming = true;
          const done = release;
          void started.done.finally(() => done?.());
          return { status: 200, body: '', stream: started.stream, requester: subject };
        }
        answers = [{ question, json: started.json, rows: started.result.rows, ms: started.result.totalMs }];
      } else answers = ran ? outcomeOf(ran) : await (early ?? Promise.all(questions.map((q) => this.run(q))));
      for (const a of answers) trail.add({ thread_id, actor: trust.did, activity: 'executed', indicator: a.question.id, generation, rows: a.rows, ms: Math.round(a.ms), ...(a.cached ? { cached: a.cached } : {}) });
      const [before, after] = envelopeAround(trust.did, message, config);
      const body = responseText(before, after, answers);
      // Each answer parsed at most once, for the small-cell check and the logged content both.
      const parsed = answers.map((a) => once(() => JSON.parse(a.json) as ParsedAnswer));
      const small = answers.flatMap((a, i) => smallCellsIn(a, parsed[i]!, counted[i], minGroupSize));
      // An automatic answer with small numbers waits for a person, unless they may go with a reason.
      const held = !manual && small.length > 0 && policy !== 'allow-with-reason';
      if (held) {
        await findReplyUrl();
        trail.add({ thread_id, actor: trust.did, activity: 'release-held', rule: rule.rule, reason: 'small_cells', small_cells: small.length });
        if (!replyUrl) throw new ExchangeError('release_held', 'ask again with a reply_url to receive the answer once the organisation released it');
        manual = true;
      }

      if (!manual) {
        // answer-sent shares the fsync of the steps still pending, and is written only after all
        // of them (never without them); the answer leaves once it is on disk.
        trail.addLast({ thread_id, actor: trust.did, activity: 'answer-sent', to: subject, release: 'auto', rule: rule.rule, ...(small.length ? { small_cells: small.length, small_cell_policy: policy } : {}), content: contentForAudit(body, config.exchange.auditMaxContentBytes, () => responseObject(before, after, answers, parsed)) });
        await trail.durable();
        return { status: 200, body, requester: subject };
      }
      const item = this.deps.queue.add(
        {
          id: randomUUID(),
          thread_id: message.thread_id,
          requester: subject,
          reply_url: replyUrl!,
          form: message.form,
          ...(replyAuth ? { replyAuth } : {}),
          received: new Date().toISOString(),
          questions: answers.map((a, i) => ({ id: a.question.id, profile: a.question.profile, version: a.question.version, title: a.question.indicator.title, parameters: a.question.parameters, rows: a.rows, query: a.question.prepared.text, countColumns: counted[i] })),
          release: { mode: rule.mode, rule: rule.rule, ...(held ? { held: 'small_cells' as const } : {}) },
          smallCellCheck: { minGroupSize, policy },
          smallCells: small,
          preview: Object.fromEntries(answers.map((a) => [a.question.id, preview(a.json, config.exchange.previewRows)])),
        },
        body,
      );
      await trail.durable();
      trail.add({ thread_id, actor: trust.did, activity: 'queued-for-release', release: item.id, reply_url: item.reply_url });
      await trail.durable();
      return { status: 202, body: JSON.stringify({ status: 'accepted', thread_id: message.thread_id, release_id: item.id, reply_url: item.reply_url }), requester: subject };
    } catch (error) {
      const f = failure(error, requester !== undefined);
      try {
        if (!receiptLogged) logReceipt(unauthenticated());
        // An authenticated requester's refusal keeps its reason, bounded; an unknown sender's only its code.
        if (requester) trail.add({ thread_id, actor: requester, activity: 'rejected', code: f.code, status: f.status, reason: f.text.slice(0, MAX_REASON) });
        else trail.add({ ...unauthenticated(), activity: 'rejected', code: f.code, status: f.status });
        await trail.durable();
      } catch (auditError) {
        return report(failure(auditError));
      }
      if (f.code === 'internal_error') console.error(error);
      return report(f);
    } finally {
      if (!streaming) release?.();
    }
  }

  /** Rules 17–19: the credentials' queries are validated queries served here, with declared parameters only. */
  private async validate(credentials: VerifiedPresentation['credentials'], parameters: Record<string, unknown>): Promise<Question[]> {
    const { config, registry } = this.deps;
    checkParameterCount(parameters);
    const questions = credentials.map((c) => resolveQuestion(c, registry, parameters, config.query));
    const undeclared = undeclaredParameters(questions, parameters);
    if (undeclared.length) throw new QueryError('unknown_parameter', listNames(undeclared));
    // Both the installed profile's specs (above) and the credential's paramsSHACL must accept the values.
    for (const [i, c] of credentials.entries()) if (c.paramsShacl) await checkParamsShacl(c.paramsShacl, questions[i]!, config);
    return questions;
  }

  /** Rules 3 and 4: recipient, reply_url, expiry. */
  private checkEnvelope(message: RequestMessage): RequestMessage {
    const { trust, config } = this.deps;
    if (!message.to.includes(trust.did)) throw new ExchangeError('wrong_recipient', message.to.join(', ').slice(0, 600));
    if (message.reply_url !== undefined) checkReplyUrl(message.reply_url, config);
    // The message id is checked for replay by trust, after the token: an unauthenticated
    // sender must not be able to use up someone else's ids.
    const now = trust.now();
    const skew = config.trust.clockSkewSeconds;
    if (message.exp !== undefined && message.exp <= now - skew) throw new ExchangeError('message_expired');
    if (message.exp !== undefined && message.exp > now + config.trust.maxPresentationSeconds + skew) throw new ExchangeError('message_lifetime_too_long');
    return message;
  }

  private request(question: Question) {
    const { prepared } = question;
    return { text: prepared.engineText, source: prepared.text, indicator: `${question.profile} ${question.id}`, vars: prepared.vars, format: 'json' as const };
  }

  private async run(question: Question): Promise<Answered> {
    const parts: string[] = [];
    const result = await this.deps.pool.run(this.request(question), (chunk) => void parts.push(chunk));
    return { question, json: parts.join(''), rows: result.rows, ms: result.totalMs, ...(result.cached ? { cached: result.cached } : {}) };
  }
}

function checkReplyUrl(replyUrl: string, config: Config): void {
  let url: URL;
  try {
    url = new URL(replyUrl);
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

async function checkParamsShacl(shapes: string, question: Question, config: Config): Promise<void> {
  const types = Object.fromEntries(question.indicator.parameters.map((p) => [p.name, p.type]));
  const values = question.parameters as Record<string, string | number | boolean>;
  const result = await validateParamsShacl(shapes, values, types, config.exchange.paramsShacl);
  if (!result.ok) throw new TrustError(result.reason === 'unreadable' ? 'params_shacl_invalid' : 'params_shacl_violation', result.messages.join(', ').slice(0, 500));
}

function outcomeOf(ran: { answers: Answered[] } | { error: unknown }): Answered[] {
  if ('error' in ran) throw ran.error;
  return ran.answers;
}

/** The small cells of one question's answer (none when nothing in it counts). */
function smallCellsIn(a: Answered, answer: () => ParsedAnswer, columns: string[] | undefined, minGroupSize: number): SmallCell[] {
  if (minGroupSize <= 1 || columns?.length === 0) return [];
  const parsed = answer();
  if (!parsed.results) return [];
  return smallCellsOf(a.question.id, { head: { vars: parsed.head?.vars ?? [] }, rows: parsed.results.bindings }, columns, minGroupSize);
}

