// Release: per profile/indicator/requester, answers go out automatically or wait for a person.
// Waiting answers live in a durable queue, one JSON file per message (written atomically), so a
// restart loses nothing; the server delivers approved ones, whoever approved them (CLI or admin API).
// A decision is logged before it takes effect: the item first records the intent, then the audit
// entry is made durable, then the decision is saved. An intent left by a killed decider is settled
// by the log: with its entry the decision stands, without it the item is pending again.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { auditPath, findEntriesSync, recordActivityAsync } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { writeFileDurable } from '../store/index.js';

export type ReleaseMode = 'auto' | 'manual';

export function releaseMode(config: Config, q: { profile: string; indicator: string; requester: string }): ReleaseMode {
  const rule = config.exchange.release.find(
    (r) => (!r.profile || r.profile === q.profile) && (!r.indicator || r.indicator === q.indicator) && (!r.requester || r.requester === q.requester),
  );
  return rule?.mode ?? config.exchange.defaultRelease;
}

export type ReleaseState = 'pending' | 'approved' | 'rejected';

export interface ReleaseItem {
  id: string;
  thread_id: string;
  requester: string;
  reply_url: string;
  /** The form the question came in (absent: the 2021 envelope), for the refusal's form. */
  form?: 'basic' | 'didcomm';
  /** Nuts mode: the delivery needs a token from our node for this requester's endpoint. */
  replyAuth?: { requester: string; authServerUrl?: string };
  received: string;
  state: ReleaseState;
  questions: { id: string; profile: string; version: string; title: string; parameters: Record<string, unknown>; rows: number; query: string }[];
  /** The first rows of each answer, for the operator. */
  preview: Record<string, unknown>;
  /** The full response message body (the resultset), exactly what will be delivered. */
  answerFile: string;
  /** Who decided: the authenticated identity (admin token holder, CLI user) ... */
  decidedBy?: string;
  /** ... and the name the caller gave, kept apart (not authenticated). */
  decidedByClaim?: string;
  decidedAt?: string;
  /** Set while a decision is being logged (see the top of this file). */
  deciding?: Decision & { at: string };
  reason?: string;
  /** After a decision: the answer (approved) or error report (rejected) goes to reply_url. */
  delivery?: 'waiting' | 'delivered' | 'failed';
  attempts: { at: string; ok: boolean; status?: number; error?: string }[];
}

export interface Decision {
  decision: 'approved' | 'rejected';
  /** The authenticated identity that decides. */
  by: string;
  /** A name the caller claims (admin API `by`): logged apart, never as the actor. */
  claimed?: string;
  reason?: string;
}

/** An intent older than this has no live decider any more (a decision takes milliseconds). */
const INTENT_STALE_MS = 30_000;
const DECISION_ACTIVITY = { approved: 'released', rejected: 'release-rejected' } as const;

export class ReleaseError extends Error {
  constructor(
    readonly code: 'unknown_release' | 'not_pending',
    message: string,
  ) {
    super(message);
  }
}

export class ReleaseQueue {
  readonly dir: string;
  /** Delivered (or finally failed) items move here, so the server's polling reads only open ones. */
  private readonly doneDir: string;
  /** Parsed items by file, reused while the file's inode, size and mtime are unchanged. */
  private readonly cache = new Map<string, { stamp: string; item: ReleaseItem }>();
  /** How many item files were parsed (not served from the cache): for tests. */
  parses = 0;

  constructor(private readonly dataDir: string) {
    this.dir = join(dataDir, 'release');
    this.doneDir = join(this.dir, 'done');
    mkdirSync(this.doneDir, { recursive: true });
  }

  add(item: Omit<ReleaseItem, 'answerFile' | 'state' | 'attempts'>, answer: string): ReleaseItem {
    const answerFile = join(this.dir, `${item.id}.answer.json`);
    writeFileDurable(answerFile, answer);
    const full: ReleaseItem = { ...item, answerFile, state: 'pending', attempts: [] };
    this.save(full);
    return full;
  }

  get(id: string): ReleaseItem {
    if (!/^[\w-]+$/.test(id)) throw new ReleaseError('unknown_release', `no release ${id}`);
    for (const file of [join(this.doneDir, `${id}.json`), join(this.dir, `${id}.json`)]) {
      const item = this.readItem(file);
      if (item) return item;
    }
    throw new ReleaseError('unknown_release', `no release ${id}`);
  }

  private readItem(file: string): ReleaseItem | undefined {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!stat) {
      this.cache.delete(file);
      return undefined;
    }
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    const cached = this.cache.get(file);
    if (cached?.stamp === stamp) return structuredClone(cached.item);
    this.parses++;
    const item = JSON.parse(readFileSync(file, 'utf8')) as ReleaseItem;
    this.cache.set(file, { stamp, item });
    return structuredClone(item);
  }

  /** Every item, open and done. */
  list(state?: ReleaseState): ReleaseItem[] {
    return this.read([this.dir, this.doneDir], state);
  }

  /** Items still needing someone: pending, or decided and not yet delivered. */
  open(state?: ReleaseState): ReleaseItem[] {
    return this.read([this.dir], state);
  }

  answer(item: ReleaseItem): string {
    return readFileSync(item.answerFile, 'utf8');
  }

  /**
   * pending → approved | rejected: intent saved, audit entry durable, then the decision saved.
   * Throws AuditWriteError (and the item stays pending) when the decision cannot be logged.
   */
  async decide(id: string, d: Decision): Promise<ReleaseItem> {
    const item = this.get(id);
    if (item.state !== 'pending') throw new ReleaseError('not_pending', `release ${id} is ${item.state}`);
    if (item.deciding && !this.stale(item)) throw new ReleaseError('not_pending', `release ${id} is being decided`);
    const { deciding: _old, ...clean } = item;
    const at = new Date().toISOString();
    this.save({ ...clean, deciding: { ...d, at } });
    try {
      await recordActivityAsync(this.dataDir, {
        thread_id: item.thread_id,
        actor: d.by,
        activity: DECISION_ACTIVITY[d.decision],
        release: id,
        ...(d.claimed !== undefined ? { claimed_by: d.claimed } : {}),
        ...(d.reason ? { reason: d.reason } : {}),
      });
    } catch (error) {
      this.save(clean); // not logged, so not decided
      throw error;
    }
    const next = decided(clean, d, at);
    this.save(next);
    return next;
  }

  /**
   * Settle intents left by a killed decider (older than `olderThanMs`): the decision stands when
   * its audit entry is in the log, otherwise the item is pending again. Returns the settled items.
   */
  recover(olderThanMs = INTENT_STALE_MS): ReleaseItem[] {
    const stuck = this.open('pending').filter((i) => i.deciding && this.stale(i, olderThanMs));
    if (!stuck.length) return [];
    const ids = new Set(stuck.map((i) => i.id));
    const logged = new Map<string, string>();
    for (const e of findEntriesSync(auditPath(this.dataDir), (e) => typeof e.release === 'string' && ids.has(e.release) && (e.activity === 'released' || e.activity === 'release-rejected'))) {
      logged.set(e.release as string, e.activity);
    }
    return stuck.map((item) => {
      const { deciding, ...clean } = item;
      const activity = logged.get(item.id);
      // The entry names the decision; a decider only ever logs the one in its intent.
      const next = activity && deciding ? decided(clean, { ...deciding, decision: activity === 'released' ? 'approved' : 'rejected' }, deciding.at) : clean;
      this.save(next);
      return next;
    });
  }

  private stale(item: ReleaseItem, olderThanMs = INTENT_STALE_MS): boolean {
    return !item.deciding || Date.now() - Date.parse(item.deciding.at) >= olderThanMs;
  }

  save(item: ReleaseItem): void {
    const open = join(this.dir, `${item.id}.json`);
    if (item.delivery !== 'delivered' && item.delivery !== 'failed') return writeFileDurable(open, JSON.stringify(item, null, 1));
    // Done: written to done/ first, then removed from the open ones (a crash in between leaves a
    // copy in both; get() prefers done/ and the deliverer skips it).
    writeFileDurable(join(this.doneDir, `${item.id}.json`), JSON.stringify(item, null, 1));
    rmSync(open, { force: true });
  }

  private read(dirs: string[], state?: ReleaseState): ReleaseItem[] {
    const listed = dirs.map((d) => ({ d, names: readdirSync(d).filter((f) => /^[\w-]+\.json$/.test(f) && !f.endsWith('.answer.json')) }));
    // the cache holds only files that still exist (bounded by the queue itself)
    for (const { d, names } of listed) {
      const present = new Set(names.map((n) => join(d, n)));
      for (const file of this.cache.keys()) if (dirname(file) === d && !present.has(file)) this.cache.delete(file);
    }
    const ids = new Set(listed.flatMap(({ names }) => names.map((f) => f.slice(0, -'.json'.length))));
    return [...ids]
      .map((id) => this.get(id))
      .filter((i) => (dirs.includes(this.doneDir) || (i.delivery !== 'delivered' && i.delivery !== 'failed')) && (!state || i.state === state))
      .sort((a, b) => a.received.localeCompare(b.received));
  }
}

function decided(item: ReleaseItem, d: Decision, at: string): ReleaseItem {
  return {
    ...item,
    state: d.decision,
    delivery: 'waiting',
    decidedBy: d.by,
    ...(d.claimed !== undefined ? { decidedByClaim: d.claimed } : {}),
    decidedAt: at,
    ...(d.reason ? { reason: d.reason } : {}),
  };
}
