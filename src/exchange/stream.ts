// A synchronous answer that streams: once the serialised result outgrows what the audit log keeps
// inline, the reply starts leaving while the worker is still serialising, at the pace the client
// reads (backpressure reaches the worker). What the log needs stays first:
// - before the first byte, `executed` and `answer-started` are durable (who, which generation,
//   how many rows; the bytes themselves are reproducible from the logged query and generation);
// - the last bytes (the closing of the resultset and envelope) wait until `answer-sent`, with the
//   sha256 and size of everything sent, is durable; if it cannot be written the response is cut
//   off instead, so no complete answer exists that the log does not hold.
// A deadline, an engine failure or a client gone mid-stream cuts the response off too (no final
// chunk of the chunked encoding: every HTTP client reports a truncated body) and is logged.
// A smaller answer is collected and answered as before, with one fsync.
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RunResult, Sink } from '../query/index.js';

export class StreamClosed extends Error {
  readonly code = 'client_gone';
  constructor() {
    super('the client closed the connection');
  }
}

/** A Readable fed by an async writer: `write` resolves when the reader wants more. */
export class AnswerStream extends Readable {
  private wake: (() => void) | undefined;
  private fail: ((error: Error) => void) | undefined;

  constructor() {
    super({ highWaterMark: 256 * 1024 });
  }

  override _read(): void {
    const wake = this.wake;
    this.wake = this.fail = undefined;
    wake?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fail = this.fail;
    this.wake = this.fail = undefined;
    fail?.(new StreamClosed());
    callback(error);
  }

  write(text: string): Promise<void> {
    if (this.destroyed) return Promise.reject(new StreamClosed());
    if (this.push(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.wake = resolve;
      this.fail = reject;
    });
  }
}

export interface AnswerPlan {
  /** Start the query; `onResult` is called with its size before the first chunk. */
  run(sink: Sink, onResult: (info: { rows: number; engineMs: number; cached?: true }) => void): Promise<RunResult>;
  /** Bytes of result collected before the answer streams instead. */
  thresholdBytes: number;
  /** The message text before and after the SPARQL JSON result. */
  prefix: string;
  suffix: string;
  /** Log what is about to be sent; resolves once durable. A failure here means nothing was sent. */
  beforeFirstByte(info: { rows: number; engineMs: number; cached?: true }): Promise<void>;
  /** Log what was sent; resolves once durable, before the last bytes go. */
  beforeLastBytes(sent: { sha256: string; bytes: number }, result: RunResult): Promise<void>;
  /** The stream was cut off (the error says why); log it. */
  aborted(error: unknown): Promise<void>;
}

export type Started =
  | { kind: 'collected'; json: string; result: RunResult }
  | { kind: 'streaming'; stream: AnswerStream; done: Promise<void> };

/** Run the query; the answer is either collected whole (small) or already streaming (large). */
export async function startAnswer(plan: AnswerPlan): Promise<Started> {
  const parts: string[] = [];
  let collected = 0;
  let info = { rows: 0, engineMs: 0 };
  let stream: AnswerStream | undefined;
  let hash: Hash | undefined;
  let sent = 0;
  let begin!: (s: AnswerStream) => void;
  const streaming = new Promise<AnswerStream>((resolve) => (begin = resolve));
  const send = (text: string): Promise<void> => {
    hash!.update(text);
    sent += Buffer.byteLength(text);
    return stream!.write(text);
  };
  const sink: Sink = async (chunk) => {
    if (stream) return send(chunk);
    parts.push(chunk);
    collected += Buffer.byteLength(chunk);
    if (collected <= plan.thresholdBytes) return;
    await plan.beforeFirstByte(info); // throws: nothing has left, the request fails as any other
    stream = new AnswerStream();
    hash = createHash('sha256');
    begin(stream);
    const first = plan.prefix + parts.join('');
    parts.length = 0;
    await send(first);
  };
  const running = plan.run(sink, (i) => void (info = i));
  const first = await Promise.race([running.then((result) => ({ kind: 'collected' as const, result })), streaming.then((s) => ({ kind: 'streaming' as const, s }))]);
  if (first.kind === 'collected') return { kind: 'collected', json: parts.join(''), result: first.result };
  const out = first.s;
  const done = running.then(
    async (result) => {
      hash!.update(plan.suffix);
      await plan.beforeLastBytes({ sha256: hash!.digest('hex'), bytes: sent + Buffer.byteLength(plan.suffix) }, result);
      await out.write(plan.suffix);
      out.push(null);
    },
  ).catch(async (error: unknown) => {
    out.destroy(error instanceof Error ? error : new Error(String(error)));
    await plan.aborted(error).catch(() => undefined);
  });
  return { kind: 'streaming', stream: out, done };
}
