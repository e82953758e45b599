// The places for queries on one SPARQL server. At most `max` queries are in flight; beyond, up to
// `queued` wait in one FIFO queue and the next is refused at once (the caller answers server_busy).
// A query we stopped waiting for (deadline, or the caller went away) keeps its place until the
// engine's own timeout plus a grace period has passed, because the engine may still be computing
// it: the native Oxigraph server checks its --timeout-s only while it scans quads, so a cross product
// over data in memory never stops, and neither does it when the HTTP request is aborted. Runaways
// therefore take places instead of piling up on the server's cores. When a hold ends on an engine
// whose timeout does not stop every query, the store is told (it counts, logs, and may restart a
// server it manages); release() hands places back after such a restart.

export interface InFlightLimits {
  max: number;
  queued: number;
}

export interface InFlightStatus {
  /** Places taken by queries being answered. */
  running: number;
  /** Places kept by abandoned queries until the engine's timeout plus grace has passed. */
  held: number;
  queued: number;
}

export class InFlightRefusal extends Error {}

export interface Place {
  /** The query ended (answered, or the engine said why not): the place is free. */
  done(): void;
  /** We stopped waiting; the engine may go on until `until` (epoch ms): keep the place till then. */
  abandon(until: number): void;
}

export class InFlight {
  private taken = 0;
  private heldCount = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly holds = new Set<{ timer: NodeJS.Timeout; free: () => void }>();

  constructor(
    private readonly limits: InFlightLimits,
    /** A hold ended: the engine should have stopped that query by now (it may not have). */
    private readonly onHoldEnded: () => void,
  ) {}

  get status(): InFlightStatus {
    return { running: this.taken - this.heldCount, held: this.heldCount, queued: this.waiting.length };
  }

  /** Every place is kept by an abandoned query: nothing can run until a hold ends. */
  get saturatedByHolds(): boolean {
    return this.heldCount >= this.limits.max;
  }

  /** A place, or InFlightRefusal at once when all places are taken and the queue is full; leaves the queue on `signal`. */
  async acquire(signal: AbortSignal): Promise<Place> {
    signal.throwIfAborted();
    if (this.taken < this.limits.max) this.taken++;
    else if (this.waiting.length >= this.limits.queued) throw new InFlightRefusal('all query places on the SPARQL store are taken');
    else {
      await new Promise<void>((admit, reject) => {
        const leave = () => {
          const i = this.waiting.indexOf(admitted);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason as Error);
        };
        const admitted = () => {
          signal.removeEventListener('abort', leave);
          admit();
        };
        this.waiting.push(admitted); // `taken` is handed over by free()
        signal.addEventListener('abort', leave, { once: true });
      });
    }
    let ended = false;
    return {
      done: () => {
        if (ended) return;
        ended = true;
        this.free();
      },
      abandon: (until) => {
        if (ended) return;
        ended = true;
        this.heldCount++;
        const hold = {
          free: () => {
            clearTimeout(hold.timer);
            if (!this.holds.delete(hold)) return;
            this.heldCount--;
            this.free();
          },
          timer: setTimeout(() => {
            hold.free();
            this.onHoldEnded();
          }, Math.max(0, until - Date.now())),
        };
        hold.timer.unref();
        this.holds.add(hold);
      },
    };
  }

  /** The engine was restarted: nothing it ran before goes on, so every held place is free. */
  releaseHolds(): void {
    for (const hold of [...this.holds]) hold.free();
  }

  private free(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.taken--;
  }
}
