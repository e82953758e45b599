// Release: per profile/indicator/requester, answers go out automatically or wait for a person.
// Waiting answers live in a durable queue, one JSON file per message (written atomically), so a
// restart loses nothing; the server delivers approved ones, whoever approved them (CLI or admin API).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  /** After a decision: the answer (approved) or error report (rejected) goes to reply_url. */
  delivery?: 'waiting' | 'delivered' | 'failed';
  attempts: { at: string; ok: boolean; status?: number; error?: string }[];
}

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

  constructor(dataDir: string) {
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
    const file = [join(this.doneDir, `${id}.json`), join(this.dir, `${id}.json`)].find((f) => existsSync(f));
    if (!file) throw new ReleaseError('unknown_release', `no release ${id}`);
    return JSON.parse(readFileSync(file, 'utf8')) as ReleaseItem;
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

  /** pending → approved | rejected, by someone. */
  decide(id: string, decision: 'approved' | 'rejected', by: string, reason?: string): ReleaseItem {
    const item = this.get(id);
    if (item.state !== 'pending') throw new ReleaseError('not_pending', `release ${id} is ${item.state}`);
    const next: ReleaseItem = { ...item, state: decision, delivery: 'waiting', decidedBy: by, decidedAt: new Date().toISOString(), ...(reason ? { reason } : {}) };
    this.save(next);
    return next;
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
    const ids = new Set(dirs.flatMap((d) => readdirSync(d).filter((f) => /^[\w-]+\.json$/.test(f) && !f.endsWith('.answer.json')).map((f) => f.slice(0, -'.json'.length))));
    return [...ids]
      .map((id) => this.get(id))
      .filter((i) => (dirs.includes(this.doneDir) || (i.delivery !== 'delivered' && i.delivery !== 'failed')) && (!state || i.state === state))
      .sort((a, b) => a.received.localeCompare(b.received));
  }
}
