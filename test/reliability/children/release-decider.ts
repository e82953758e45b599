// Works through the release queue as the server and an operator would: decide each pending item
// (intent, audit entry, decision), then mark it delivered (moved to done/), printing each step,
// until killed or done. Intents a killed run left are settled first, as the server's sweep does.
// (It imports the queue module alone: the whole exchange takes seconds to load under tsx.)
import { ReleaseQueue } from '../../../src/exchange/release.js';

const [dataDir] = process.argv.slice(2) as [string];
const queue = new ReleaseQueue(dataDir);
queue.recover(0);
for (const item of queue.open()) {
  const decided = item.state === 'pending' ? await queue.decide(item.id, { decision: 'approved', by: 'crash-test' }) : item;
  queue.save({ ...decided, delivery: 'delivered', attempts: [...decided.attempts, { at: new Date().toISOString(), ok: true, status: 200 }] });
  process.stdout.write(`${item.id}\n`);
}
