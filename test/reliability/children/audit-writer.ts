// Appends audit entries as fast as it can (sizes up to ~200 KB, so a kill often lands mid-write),
// printing each seq after its fsync, until killed. Used by crash.test.ts.
import { AuditLog } from '../../../src/audit/index.js';

const [dataDir, actor] = process.argv.slice(2) as [string, string];
const log = AuditLog.for(dataDir);
for (let i = 0; ; i++) {
  const entry = log.append({ actor, activity: 'crash-test', thread_id: `${actor}-${i}`, content: 'x'.repeat((i * 7919) % 200_000) });
  process.stdout.write(`${entry.seq}\n`);
}
