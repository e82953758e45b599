// Corrects the one pending release in `dataDir`, killing itself (SIGKILL) at the named step, as a
// crash or kill -9 would: used by correction-crash.test.ts.
import { AuditLog } from '../../../src/audit/index.js';
import { ReleaseQueue, type ReleaseItem } from '../../../src/exchange/release.js';

const [dataDir, step] = process.argv.slice(2) as [string, string];
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const queue = new ReleaseQueue(dataDir);
const save = queue.save.bind(queue);
queue.save = (item: ReleaseItem) => {
  if (step === 'before-correction-saved' && item.corrections?.length && !item.correcting) die();
  save(item);
  if (step === 'after-intent' && item.correcting) die();
  if (step === 'after-correction-saved' && item.corrections?.length && !item.correcting) die();
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
await queue.correct(item.id, { by: 'crash-test', reason: 'typo', changes: [{ question: 'q', row: 0, column: 'n', value: '7' }] });
die(); // 'after-correction-saved' dies above; every step ends killed
