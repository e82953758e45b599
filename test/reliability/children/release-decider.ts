// Works through the release queue as the server and an operator would: decide each pending item
// (logged), then mark it delivered (moved to done/), printing each step, until killed or done.
import { recordActivity } from '../../../src/audit/index.js';
import { ReleaseQueue } from '../../../src/exchange/index.js';

const [dataDir] = process.argv.slice(2) as [string];
const queue = new ReleaseQueue(dataDir);
for (const item of queue.open()) {
  const decided = item.state === 'pending' ? queue.decide(item.id, 'approved', 'crash-test') : item;
  if (item.state === 'pending') recordActivity(dataDir, { actor: 'crash-test', activity: 'released', thread_id: item.thread_id, release: item.id });
  queue.save({ ...decided, delivery: 'delivered', attempts: [...decided.attempts, { at: new Date().toISOString(), ok: true, status: 200 }] });
  process.stdout.write(`${item.id}\n`);
}
