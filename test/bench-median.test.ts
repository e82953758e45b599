// The benchmarks' median: a ratio of two rounds is their mean, not the larger one.
import { expect, it } from 'vitest';
import { median } from '../bench/args.js';

it('takes the middle value, and the mean of the two middle ones for an even count', () => {
  expect(median([0.9, 0.2, 0.5])).toBe(0.5);
  expect(median([0.81, 0.34])).toBeCloseTo(0.575);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});
