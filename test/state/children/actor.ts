// One datastation process's side of the shared-state tests (processes.test.ts): opens the
// PostgreSQL state named on the command line (its own data folder) and does one job, printing
// each acknowledged result on its own line.
import { loadConfig } from '../../../src/config/index.js';
import { recordActivity, recordActivityAsync } from '../../../src/audit/index.js';
import { openState, releaseQueue } from '../../../src/state/index.js';
import { PgAccessTokens, PgReplayCache } from '../../../src/state/trust.js';
import { DEFAULT_SESSION } from '../../../src/api/routes/admin-session.js';
import type { ReleaseItem } from '../../../src/exchange/release.js';

const [job, stateJson, dataDir, ...args] = process.argv.slice(2) as [string, string, string, ...string[]];
const config = loadConfig({ env: {}, overrides: { dataDir, state: JSON.parse(stateJson) as unknown } });
const state = openState(config)!;
const say = (line: string) => process.stdout.write(`${line}\n`);

switch (job) {
  case 'append': {
    // args: actor, count (0: until killed). Alternates sync appends and async groups.
    const [actor, count] = [args[0]!, Number(args[1])];
    for (let i = 0; count === 0 || i < count; ) {
      if (i % 3 === 0) {
        const e = recordActivity(dataDir, { actor, activity: 'state-test', thread_id: `${actor}-${i}` });
        say(`${e.seq} ${e.thread_id}`);
        i++;
      } else {
        const group = Array.from({ length: 5 }, (_, k) => recordActivityAsync(dataDir, { actor, activity: 'state-test', thread_id: `${actor}-${i + k}`, pad: 'x'.repeat(((i + k) * 7919) % 20_000) }));
        for (const e of await Promise.all(group)) say(`${e.seq} ${e.thread_id}`);
        i += 5;
      }
    }
    break;
  }
  case 'replay': {
    // args: epoch seconds now, then ids: each is tried as a message id (async, with a presentation id) and as a challenge (sync)
    const replay = new PgReplayCache(state.client, state.config.tenant);
    const now = Number(args[0]);
    for (const id of args.slice(1)) {
      const message = await replay.useAllAsync([{ id: `msg ${id}`, until: now + 300 }, { id: `vp ${id}-${process.pid}`, until: now + 300 }], now);
      const challenge = replay.use(`challenge ${id}`, now + 300, now);
      say(`${id} ${message ? 'used' : 'refused'} ${challenge ? 'used' : 'refused'}`);
    }
    break;
  }
  case 'queue': {
    // args: id: queue one pending item (as the exchange does for a manual release)
    const queue = releaseQueue(config);
    const id = args[0]!;
    queue.add({ id, thread_id: `thread-${id}`, requester: 'did:web:requester.example', reply_url: 'http://127.0.0.1:9/inbox', received: new Date().toISOString(), questions: [], preview: {} }, JSON.stringify({ answer: id }));
    await recordActivityAsync(dataDir, { thread_id: `thread-${id}`, actor: 'did:web:requester.example', activity: 'release-queued', release: id });
    say(`queued ${id}`);
    break;
  }
  case 'decide': {
    // args: id, decision: decide it here (intent, audit entry, decision), print the outcome or the refusal code
    const queue = releaseQueue(config);
    try {
      const item = await queue.decide(args[0]!, { decision: args[1] === 'reject' ? 'rejected' : 'approved', by: `operator-${process.pid}`, reason: 'checked' });
      say(`decided ${item.state} ${queue.answer(item)}`);
    } catch (error) {
      say(`refused ${(error as { code?: string }).code ?? (error as Error).message}`);
    }
    break;
  }
  case 'decide-die': {
    // args: id, step: decide, killing this process (SIGKILL) right after the intent is saved, or
    // after the audit entry committed but before the decision is saved
    const queue = releaseQueue(config);
    const [id, step] = [args[0]!, args[1]!];
    const die = () => process.kill(process.pid, 'SIGKILL');
    const q = queue as unknown as { saveIntent(item: ReleaseItem): void; save(item: ReleaseItem): void };
    const saveIntent = q.saveIntent.bind(queue);
    const save = q.save.bind(queue);
    q.saveIntent = (item) => {
      saveIntent(item);
      say('intent');
      if (step === 'after-intent') die();
    };
    q.save = (item) => {
      if (step === 'after-audit' && item.state === 'approved') die();
      save(item);
    };
    await queue.decide(id, { decision: 'approved', by: 'operator-killed', reason: 'checked' });
    say('not killed');
    break;
  }
  case 'token': {
    // issue an access token and sign a session in: printed for another process to check
    const tokens = new PgAccessTokens(state.client, state.config.tenant, 300);
    const { sessions } = state.sessionStores(DEFAULT_SESSION, Date.now);
    say(`${tokens.issue('did:web:requester.example', 'verifiedsparql').token} ${sessions.create('alice', 'operator', 1).id}`);
    break;
  }
  case 'check': {
    // args: token, session id
    const tokens = new PgAccessTokens(state.client, state.config.tenant, 300);
    const { sessions } = state.sessionStores(DEFAULT_SESSION, Date.now);
    const token = tokens.check(`Bearer ${args[0]}`, 'verifiedsparql', 'did:web:requester.example');
    const session = sessions.touch(args[1]!);
    say(`${token.subject} ${session?.account ?? 'none'}`);
    sessions.end(args[1]!);
    say(`after-end ${sessions.touch(args[1]!)?.account ?? 'none'}`);
    break;
  }
  default:
    throw new Error(`unknown job ${job}`);
}
await state.close();
