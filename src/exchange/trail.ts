// The audit entries of one request, appended as its steps happen and fsynced by group commit.
import { auditFor, type AuditEntry, type AuditInput, type AuditSink } from '../audit/index.js';

/**
 * The entries of one request: appended in order as its steps happen and fsynced by group commit
 * while the work goes on. The final entry (answer-sent) is added with addLast: the log writes it
 * only when every entry before it is written (in its group or durable before), so it shares their
 * fsync and never stands in the log without them; nothing is sent before it is durable. A request
 * waits for about one fsync after its query (shared with concurrent requests), not one per step.
 * Once an entry failed, the next step is refused (the request becomes an audit failure; its
 * refusal is still logged).
 */
export class Trail {
  private readonly pending: Promise<AuditEntry>[] = [];
  private failure: Error | undefined;
  /** Looked up once per request, not per entry. */
  private readonly sink: AuditSink;

  constructor(dataDir: string) {
    this.sink = auditFor(dataDir);
  }

  add(entry: AuditInput): void {
    this.append(entry, []);
  }

  /** An entry that must never be in the log without all those added before it. */
  addLast(entry: AuditInput): void {
    this.append(entry, [...this.pending]);
  }

  private append(entry: AuditInput, after: Promise<AuditEntry>[]): void {
    if (this.failure && entry.activity !== 'rejected') throw this.failure;
    const appended = this.sink.appendAsync(entry, after);
    appended.catch((error: Error) => (this.failure ??= error)); // awaited in durable()
    this.pending.push(appended);
  }

  async durable(): Promise<void> {
    await Promise.all(this.pending);
  }
}
