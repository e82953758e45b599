// Asynchronous answers: decided releases are POSTed to the requester's reply_url, with retries
// and exponential backoff. Every attempt is in the release item and the audit log (logged before
// it is made: nothing leaves that could not be logged); a delivery
// that keeps failing ends as `failed`, visible in `datastation release list`. Nothing here may
// throw into a timer or an unawaited promise (that would end the server): a sweep or delivery
// that fails (EMFILE, the audit log full) is reported and tried again on the next sweep.
import type { Config } from '../config/index.js';
import { recordActivityAsync } from '../audit/index.js';
import { errorReport } from './envelope.js';
import { problemReport } from './didcomm.js';
import type { Trust } from '../trust/index.js';
import { EXCHANGE_ERRORS } from './errors.js';
import type { ReleaseItem, ReleaseQueue } from './release.js';
import { contentForAudit } from './content.js';
import { outgoing } from './answer-table.js';
import { pinnedRequest } from '../trust/index.js';

export class Deliverer {
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly queue: ReleaseQueue,
    private readonly ownDid: string,
    /** For replies that need a token from our Nuts node. */
    private readonly trust?: Trust,
    /** Where failures of the background work are told (a fixed sentence and the error's code). */
    private readonly report: (message: string) => void = (m) => console.error(m),
  ) {}

  /** Look for decided, undelivered releases now and every `intervalMs` (decisions may come from the CLI). */
  start(intervalMs = 1000): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over the open queue; never throws (EMFILE and the like wait for the next pass). */
  sweep(): void {
    try {
      this.queue.recover();
      for (const item of this.queue.open()) {
        if (item.state !== 'pending' && item.delivery === 'waiting') this.kick(item);
      }
    } catch (error) {
      this.report(`release sweep failed (${codeOf(error)}); trying again at the next sweep`);
    }
  }

  /** Deliver in the background; a failure is reported, never thrown (the next sweep retries). */
  kick(item: ReleaseItem): void {
    if (this.busy.has(item.id)) return;
    this.deliver(item).catch((error: unknown) => this.report(`delivery of release ${item.id} failed (${codeOf(error)}); trying again at the next sweep`));
  }

  /**
   * The refusal of a rejected release, with the organisation's reason: in the 2021 error report
   * as `body.reason` (and in the message text), in a DIDComm problem report in `comment` and as
   * `args[0]` (the report's placeholders).
   */
  private refusal(item: ReleaseItem): string {
    const text = `${EXCHANGE_ERRORS.release_refused.text}${item.reason ? `: ${item.reason}` : ''}`;
    if (item.form === 'didcomm') {
      const report = problemReport(this.ownDid, item.requester, item.thread_id, 'release_refused', text, this.config.exchange.didcomm);
      return JSON.stringify(item.reason ? { ...report, body: { ...report.body, args: [item.reason] } } : report);
    }
    const report = errorReport(this.ownDid, item.requester, item.thread_id, 'release_refused', text);
    return JSON.stringify(item.reason ? { ...report, body: { ...report.body, reason: item.reason } } : report);
  }

  async deliver(item: ReleaseItem): Promise<ReleaseItem> {
    this.busy.add(item.id);
    try {
      const message = item.state === 'approved' ? outgoing(this.queue.answer(item), this.queue.marks(item), item.suppressed) : this.refusal(item);
      const { deliveryAttempts, deliveryBackoffMs, deliveryTimeoutMs } = this.config.exchange;
      let current = item;
      for (let attempt = current.attempts.length; attempt < deliveryAttempts; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, deliveryBackoffMs * 2 ** (attempt - 1)));
        // Logged before it leaves, like a synchronous answer: an attempt that cannot be logged is
        // not made (the item stays waiting; the next sweep tries again).
        await recordActivityAsync(this.config.dataDir, {
          thread_id: current.thread_id,
          actor: this.ownDid,
          activity: current.state === 'approved' ? 'answer-sent' : 'error-report-sent',
          to: current.requester,
          reply_url: current.reply_url,
          release: current.id,
          attempt: attempt + 1,
          content: contentForAudit(message, this.config.exchange.auditMaxContentBytes),
        });
        let outcome: ReleaseItem['attempts'][number];
        try {
          const headers: Record<string, string> = { 'content-type': item.form === 'didcomm' ? 'application/didcomm-plain+json' : 'application/json' };
          // A fresh token per attempt: node tokens live about a minute.
          if (current.replyAuth) {
            if (!this.trust?.replyToken) throw new Error('no Nuts node to ask for a reply token');
            headers.authorization = `Bearer ${await this.trust.replyToken(current.replyAuth.requester, current.replyAuth.authServerUrl)}`;
          }
          // Resolved, checked and pinned per attempt: a reply_url that turned internal since it was accepted is refused.
          const response = await pinnedRequest(current.reply_url, {
            method: 'POST',
            headers,
            body: message,
            timeoutMs: deliveryTimeoutMs,
            maxBytes: 64 * 1024,
            allowHttp: this.config.exchange.allowHttpReplyUrl,
            policy: { allowLoopback: this.config.exchange.allowLoopbackReplyUrl },
          });
          outcome = { at: new Date().toISOString(), ok: response.status >= 200 && response.status < 300, status: response.status };
        } catch (error) {
          outcome = { at: new Date().toISOString(), ok: false, error: (error as Error).message };
        }
        current = { ...current, attempts: [...current.attempts, outcome] };
        if (outcome.ok) {
          current.delivery = 'delivered';
          this.queue.save(current);
          return current;
        }
        this.queue.save(current);
        await recordActivityAsync(this.config.dataDir, { thread_id: current.thread_id, actor: this.ownDid, activity: 'delivery-failed', release: current.id, attempt: attempt + 1, ...outcome });
      }
      current = { ...current, delivery: 'failed' };
      this.queue.save(current);
      return current;
    } finally {
      this.busy.delete(item.id);
    }
  }
}

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown };
  return typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'error';
}
