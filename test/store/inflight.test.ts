// The places on a SPARQL store (src/store/remote/inflight.ts) without a server: FIFO hand-over, a
// full queue refused at once, a waiter that gives up leaves the queue, an abandoned place is kept
// until its time and then reported, and a restart frees every held place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InFlight, InFlightRefusal } from '../../src/store/remote/inflight.js';

const never = () => new AbortController().signal;

describe('query places', () => {
  afterEach(() => vi.useRealTimers());

  it('hands places over in order, refuses beyond the queue, and lets a waiter leave', async () => {
    const ended = vi.fn();
    const places = new InFlight({ max: 1, queued: 2 }, ended);
    const first = await places.acquire(never());
    const order: string[] = [];
    const second = places.acquire(never()).then((p) => (order.push('second'), p));
    const leaving = new AbortController();
    const third = places.acquire(leaving.signal);
    await expect(places.acquire(never())).rejects.toBeInstanceOf(InFlightRefusal);
    leaving.abort(new Error('gone'));
    await expect(third).rejects.toThrow('gone');
    expect(places.status).toEqual({ running: 1, held: 0, queued: 1 });
    first.done();
    first.done(); // once only
    (await second).done();
    expect(order).toEqual(['second']);
    expect(places.status).toEqual({ running: 0, held: 0, queued: 0 });
    expect(ended).not.toHaveBeenCalled();
  });

  it('keeps an abandoned place until its time, then reports it; a restart frees the others', async () => {
    vi.useFakeTimers();
    const ended = vi.fn();
    const places = new InFlight({ max: 2, queued: 0 }, ended);
    (await places.acquire(never())).abandon(Date.now() + 1000);
    (await places.acquire(never())).abandon(Date.now() + 5000);
    expect(places.status).toEqual({ running: 0, held: 2, queued: 0 });
    expect(places.saturatedByHolds).toBe(true);
    await expect(places.acquire(never())).rejects.toBeInstanceOf(InFlightRefusal);
    vi.advanceTimersByTime(1000);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(places.status.held).toBe(1);
    places.releaseHolds();
    expect(places.status).toEqual({ running: 0, held: 0, queued: 0 });
    vi.advanceTimersByTime(5000);
    expect(ended).toHaveBeenCalledTimes(1); // freed by the restart: its timer is gone
  });
});
