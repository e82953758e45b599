// Admission of authenticated questions: at most `perRequester` of one requester's questions in
// the datastation at once (running or waiting), at most `running` running, at most `queued`
// waiting in one FIFO queue. Beyond that a question is refused at once with Retry-After, before
// it costs a query: one requester flooding fills its own share, never the others' (it can hold at
// most `perRequester` places in the queue ahead of anyone else).
import { ExchangeError } from './errors.js';

export interface AdmissionLimits {
  perRequester: number;
  running: number;
  queued: number;
}

export class Admission {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Running + waiting per requester; an entry is dropped at zero, so the map is bounded by admitted questions. */
  private readonly held = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A place for `requester`'s question; call the returned function exactly once when it is done. */
  async acquire(requester: string): Promise<() => void> {
    const mine = this.held.get(requester) ?? 0;
    if (mine >= this.limits.perRequester) throw new ExchangeError('requester_busy');
    if (this.active >= this.limits.running && this.waiting.length >= this.limits.queued) throw new ExchangeError('server_busy');
    this.held.set(requester, mine + 1);
    if (this.active < this.limits.running) this.active++;
    else await new Promise<void>((admit) => this.waiting.push(admit)); // `active` is handed over by release
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(requester) ?? 1) - 1;
      if (left > 0) this.held.set(requester, left);
      else this.held.delete(requester);
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}
