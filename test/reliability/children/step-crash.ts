// Decides (`decide`: approves and marks delivered) or corrects (`correct`) the one pending release
// in `dataDir`, killing itself (SIGKILL) at the named step, as a crash or kill -9 would: used by
// release-crash.test.ts and correction-crash.test.ts. The queue steps differ by action; the
// audit steps (mid-audit-write, before/after-audit-fsync) are the same for both.
//   step-crash.ts <dataDir> decide|correct <step>
import { AuditLog } from '../../../src/audit/index.js';
import { ReleaseQueue, type ReleaseItem } from '../../../src/exchange/release.js';

const [dataDir, action, step] = process.argv.slice(2) as [string, 'decide' | 'correct', string];
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const decided = (item: ReleaseItem) => item.state === 'approved' && item.delivery === 'waiting';
const corrected = (item: ReleaseItem) => Boolean(item.corrections?.length) && !item.correcting;
/** Per action: die before a save matching `before`, after one matching `after` (by step name). */
const STEPS: Record<typeof action, { before: Record<string, (i: ReleaseItem) => boolean>; after: Record<string, (i: ReleaseItem) => boolean> }> = {
  decide: {
    before: { 'before-decision-saved': decided },
    after: { 'after-intent': (i) => Boolean(i.deciding), 'after-decision-saved': decided, 'after-delivered': (i) => i.delivery === 'delivered' },
  },
  correct: {
    before: { 'before-correction-saved': corrected },
    after: { 'after-intent': (i) => Boolean(i.correcting), 'after-correction-saved': corrected },
  },
};
const { before, after } = STEPS[action];
const queue = new ReleaseQueue(dataDir);
const save = queue.save.bind(queue);
queue.save = (item: ReleaseItem) => {
  if (before[step]?.(item)) die();
  save(item);
  if (after[step]?.(item)) die();
};
const log = AuditLog.for(dataDir);
const real = log.io;
log.io = {
  ...real,
  writeSync: (fd, buffer, offset, length) => {
    if (step === 'mid-audit-write') {
      real.writeSync(fd, buffer, offset, Math.floor(length / 2));
      die();
    }
    return real.writeSync(fd, buffer, offset, length);
  },
  fsync: (fd, callback) => {
    if (step === 'before-audit-fsync') die();
    real.fsync(fd, (error) => {
      if (step === 'after-audit-fsync') die();
      callback(error);
    });
  },
};
const [item] = queue.open('pending');
if (!item) throw new Error('nothing pending');
if (action === 'decide') {
  const done = await queue.decide(item.id, { decision: 'approved', by: 'crash-test' });
  queue.save({ ...done, delivery: 'delivered', attempts: [{ at: new Date().toISOString(), ok: true, status: 200 }] });
} else {
  await queue.correct(item.id, { by: 'crash-test', reason: 'typo', changes: [{ question: 'q', row: 0, column: 'n', value: '7' }] });
  die(); // 'after-correction-saved' dies above; every step ends killed
}
