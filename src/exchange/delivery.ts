// Asynchronous answers: decided releases are POSTed to the requester's reply_url, with retries
// and exponential backoff. Every attempt is in the release item and the audit log; a delivery
// that keeps failing ends as `failed`, visible in `datastation release list`.
import type { Config } from '../config/index.js';
import { recordActivity } from '../audit/index.js';
import { errorReport } from './envelope.js';
import { problemReport } from './didcomm.js';
import type { Trust } from '../trust/index.js';
import { EXCHANGE_ERRORS } from './errors.js';
import type { ReleaseItem, ReleaseQueue } from './release.js';
import { contentForAudit } from './content.js';

export class Deliverer {
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly queue: ReleaseQueue,
    private readonly ownDid: string,
    /** For replies that need a token from our Nuts node. */
    private readonly trust?: Trust,
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

  sweep(): void {
    for (const item of this.queue.open()) {
      if (item.state !== 'pending' && item.delivery === 'waiting' && !this.busy.has(item.id)) void this.deliver(item);
    }
  }

  async deliver(item: ReleaseItem): Promise<ReleaseItem> {
    this.busy.add(item.id);
    try {
      const message =
        item.state === 'approved'
          ? this.queue.answer(item)
          : JSON.stringify(
              (item.form === 'didcomm' ? (...a: Parameters<typeof errorReport>) => problemReport(...a, this.config.exchange.didcomm) : errorReport)(
                this.ownDid,
                item.requester,
                item.thread_id,
                'release_refused',
                `${EXCHANGE_ERRORS.release_refused.text}${item.reason ? `: ${item.reason}` : ''}`,
              ),
            );
      const { deliveryAttempts, deliveryBackoffMs, deliveryTimeoutMs } = this.config.exchange;
      let current = item;
      for (let attempt = current.attempts.length; attempt < deliveryAttempts; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, deliveryBackoffMs * 2 ** (attempt - 1)));
        let outcome: ReleaseItem['attempts'][number];
        try {
          const headers: Record<string, string> = { 'content-type': item.form === 'didcomm' ? 'application/didcomm-plain+json' : 'application/json' };
          // A fresh token per attempt: node tokens live about a minute.
          if (current.replyAuth) {
            if (!this.trust?.replyToken) throw new Error('no Nuts node to ask for a reply token');
            headers.authorization = `Bearer ${await this.trust.replyToken(current.replyAuth.requester, current.replyAuth.authServerUrl)}`;
          }
          const response = await fetch(current.reply_url, {
            method: 'POST',
            headers,
            body: message,
            signal: AbortSignal.timeout(deliveryTimeoutMs),
            redirect: 'error',
          });
          outcome = { at: new Date().toISOString(), ok: response.ok, status: response.status };
        } catch (error) {
          outcome = { at: new Date().toISOString(), ok: false, error: (error as Error).message };
        }
        current = { ...current, attempts: [...current.attempts, outcome] };
        if (outcome.ok) {
          current.delivery = 'delivered';
          this.queue.save(current);
          recordActivity(this.config.dataDir, {
            thread_id: current.thread_id,
            actor: this.ownDid,
            activity: current.state === 'approved' ? 'answer-sent' : 'error-report-sent',
            to: current.requester,
            reply_url: current.reply_url,
            release: current.id,
            content: contentForAudit(message, this.config.exchange.auditMaxContentBytes),
          });
          return current;
        }
        this.queue.save(current);
        recordActivity(this.config.dataDir, { thread_id: current.thread_id, actor: this.ownDid, activity: 'delivery-failed', release: current.id, attempt: attempt + 1, ...outcome });
      }
      current = { ...current, delivery: 'failed' };
      this.queue.save(current);
      return current;
    } finally {
      this.busy.delete(item.id);
    }
  }
}
