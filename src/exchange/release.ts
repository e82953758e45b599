// Release: per profile/indicator/requester, answers go out automatically or wait for a person.
// Waiting answers live in a durable queue, one JSON file per message (written atomically), so a
// restart loses nothing; the server delivers approved ones, whoever approved them (CLI or admin API).
// A decision is logged before it takes effect: the item first records the intent, then the audit
// entry is made durable, then the decision is saved. An intent left by a killed decider is settled
// by the log: with its entry the decision stands, without it the item is pending again.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { auditFor, recordActivityAsync } from '../audit/index.js';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { writeFileDurable } from '../store/index.js';
import { answerTables, applyChanges, CorrectionError, type AppliedChange, type AnswerMarks, type Change, type Position } from './answer-table.js';
import { smallCellsOf, type SmallCell } from './small-cells.js';

export type ReleaseMode = 'auto' | 'manual';
export type SmallCellPolicy = 'block' | 'suppress' | 'allow-with-reason';

/** The release rule that applied: `rule` is its place in exchange.release (counting from 1), or 'default'. */
export interface AppliedRule {
  mode: ReleaseMode;
  rule: number | 'default';
}

export function releaseRule(config: Config, q: { profile: string; indicator: string; requester: string }): AppliedRule {
  const index = config.exchange.release.findIndex(
    (r) => (!r.profile || r.profile === q.profile) && (!r.indicator || r.indicator === q.indicator) && (!r.requester || r.requester === q.requester),
  );
  return index < 0 ? { mode: config.exchange.defaultRelease, rule: 'default' } : { mode: config.exchange.release[index]!.mode, rule: index + 1 };
}

export function releaseMode(config: Config, q: { profile: string; indicator: string; requester: string }): ReleaseMode {
  return releaseRule(config, q).mode;
}

/** A reason someone gives (rejection, correction, release of small numbers): control characters out, bounded. */
export const MAX_REASON = 500;
export function cleanReason(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  if (!text) return undefined;
  if (text.length > MAX_REASON) throw new ReleaseError('reason_too_long', `the reason is longer than ${MAX_REASON} characters`);
  return text;
}

export interface Correction {
  id: string;
  /** The authenticated identity that corrected. */
  by: string;
  at: string;
  reason: string;
  changes: AppliedChange[];
  /** The answer after this correction. */
  answerFile: string;
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
  questions: { id: string; profile: string; version: string; title: string; parameters: Record<string, unknown>; rows: number; query: string; countColumns?: string[] | undefined }[];
  /** The release rule that put it here; `held`: an automatic answer held for its small numbers. */
  release?: AppliedRule & { held?: 'small_cells' };
  /** The small-number check as configured when the question came. */
  smallCellCheck?: { minGroupSize: number; policy: SmallCellPolicy };
  /** Cells of the current answer counting fewer than minGroupSize (and more than 0). */
  smallCells?: SmallCell[];
  /** Set by an approval under the 'suppress' policy: these cells are removed from what is sent. */
  suppressed?: Position[];
  /** The answer as the datastation computed it, kept when corrected (answerFile is then the corrected one). */
  originalFile?: string;
  corrections?: Correction[];
  /** Set while a correction is being logged (the same intent pattern as `deciding`). */
  correcting?: Correction;
  /** The first rows of each answer, for the operator. */
  preview: Record<string, unknown>;
  /** The full response message (the resultset): the current answer, corrected if corrected. */
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
  /** Cells removed from what is sent (approval under the 'suppress' policy). */
  suppressed?: Position[];
}

/** An intent older than this has no live decider any more (a decision takes milliseconds). */
const INTENT_STALE_MS = 30_000;
const DECISION_ACTIVITY = { approved: 'released', rejected: 'release-rejected' } as const;

export class ReleaseError extends Error {
  constructor(
    readonly code: 'unknown_release' | 'not_pending' | 'small_cells_blocked' | 'reason_required' | 'reason_too_long' | 'bad_correction',
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return this.code === 'unknown_release' ? 404 : this.code === 'not_pending' || this.code === 'small_cells_blocked' ? 409 : 400;
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

  constructor(protected readonly dataDir: string) {
    this.dir = join(dataDir, 'release');
    this.doneDir = join(this.dir, 'done');
    mkdirSync(this.doneDir, { recursive: true });
  }

  add(item: Omit<ReleaseItem, 'answerFile' | 'state' | 'attempts'>, answer: string): ReleaseItem {
    const answerFile = this.bodyRef(`${item.id}.answer.json`);
    this.writeBody(answerFile, answer);
    const full: ReleaseItem = { ...item, answerFile, state: 'pending', attempts: [] };
    this.save(full);
    return full;
  }

  get(id: string): ReleaseItem {
    // an id that cannot be one is not echoed back
    if (!/^[\w-]{1,100}$/.test(id)) throw new ReleaseError('unknown_release', 'no such release');
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

  /** The current answer (the corrected one when corrected). */
  answer(item: ReleaseItem): string {
    return this.readBody(item.answerFile);
  }

  /** The answer as the datastation computed it. */
  original(item: ReleaseItem): string {
    return this.readBody(item.originalFile ?? item.answerFile);
  }

  // Where items and answers are kept: files here; PostgreSQL overrides these (src/state/release.ts).
  /** The reference an answer called `name` is stored under (item.answerFile). */
  protected bodyRef(name: string): string {
    return join(this.dir, name);
  }

  protected writeBody(ref: string, text: string): void {
    writeFileDurable(ref, text);
  }

  protected readBody(ref: string): string {
    return readFileSync(ref, 'utf8');
  }

  /** Save a decision's or correction's intent on an item nobody else is deciding (refused otherwise). */
  protected saveIntent(item: ReleaseItem): void {
    this.save(item);
  }

  /**
   * pending → approved | rejected: intent saved, audit entry durable, then the decision saved.
   * Throws AuditWriteError (and the item stays pending) when the decision cannot be logged.
   * A rejection needs a reason (it is told to the requester); an approval of an answer with
   * small numbers follows the item's policy: refused (block), with those cells removed
   * (suppress), or only with a reason (allow-with-reason).
   */
  async decide(id: string, d: Decision): Promise<ReleaseItem> {
    const item = this.openItem(id);
    const reason = cleanReason(d.reason);
    const small = item.smallCells ?? [];
    const policy = item.smallCellCheck?.policy ?? 'block';
    if (d.decision === 'rejected' && !reason) throw new ReleaseError('reason_required', 'a rejection needs a reason: it is told to the requester');
    if (d.decision === 'approved' && small.length && policy === 'block') {
      throw new ReleaseError('small_cells_blocked', `the answer has ${small.length} cell(s) counting fewer than ${item.smallCellCheck?.minGroupSize ?? '?'}: correct them first`);
    }
    if (d.decision === 'approved' && small.length && policy === 'allow-with-reason' && !reason) {
      throw new ReleaseError('reason_required', 'the answer has cells with small numbers: releasing it needs a reason');
    }
    const suppressed = d.decision === 'approved' && small.length && policy === 'suppress' ? small.map(({ question, row, column }) => ({ question, row, column })) : undefined;
    const decision: Decision = { decision: d.decision, by: d.by, ...(d.claimed !== undefined ? { claimed: d.claimed } : {}), ...(reason ? { reason } : {}), ...(suppressed ? { suppressed } : {}) };
    const { deciding: _old, ...clean } = item;
    const at = new Date().toISOString();
    this.saveIntent({ ...clean, deciding: { ...decision, at } });
    try {
      await recordActivityAsync(this.dataDir, {
        thread_id: item.thread_id,
        actor: d.by,
        activity: DECISION_ACTIVITY[d.decision],
        release: id,
        ...(d.claimed !== undefined ? { claimed_by: d.claimed } : {}),
        ...(reason ? { reason } : {}),
        ...(d.decision === 'approved' && small.length ? { small_cells: small.length, small_cell_policy: policy } : {}),
        ...(suppressed ? { suppressed } : {}),
      });
    } catch (error) {
      this.save(clean); // not logged, so not decided
      throw error;
    }
    const next = decided(clean, decision, at);
    this.save(next);
    return next;
  }

  /** A pending item nobody is deciding or correcting right now. */
  private openItem(id: string): ReleaseItem {
    let item = this.get(id);
    // an intent left by a killed process is settled by the log first
    if ((item.deciding || item.correcting) && this.stale(item)) {
      this.recover();
      item = this.get(id);
    }
    if (item.state !== 'pending') throw new ReleaseError('not_pending', `release ${id} is ${item.state}`);
    if (item.deciding && !this.stale(item)) throw new ReleaseError('not_pending', `release ${id} is being decided`);
    if (item.correcting && !this.stale(item)) throw new ReleaseError('not_pending', `release ${id} is being corrected`);
    return item;
  }

  /**
   * Correct cells of a pending answer by hand. The corrected answer is written to a file of its
   * own (the original and earlier corrections are kept), the intent saved, the audit entry made
   * durable, and only then does the item point at the corrected answer. Corrections stack.
   */
  async correct(id: string, c: { by: string; reason: unknown; changes: Change[] }): Promise<ReleaseItem> {
    const item = this.openItem(id);
    const reason = cleanReason(c.reason);
    if (!reason) throw new ReleaseError('reason_required', 'a correction needs a reason');
    if (!c.changes.length) throw new ReleaseError('bad_correction', 'a correction needs at least one change');
    let corrected;
    try {
      corrected = applyChanges(this.answer(item), c.changes);
    } catch (error) {
      if (error instanceof CorrectionError) throw new ReleaseError('bad_correction', error.message);
      throw error;
    }
    const n = (item.corrections?.length ?? 0) + 1;
    const correction: Correction = { id: randomUUID(), by: c.by, at: new Date().toISOString(), reason, changes: corrected.applied, answerFile: this.bodyRef(`${id}.answer.c${n}.json`) };
    this.writeBody(correction.answerFile, corrected.text);
    this.saveIntent({ ...item, correcting: correction });
    try {
      await recordActivityAsync(this.dataDir, { thread_id: item.thread_id, actor: c.by, activity: 'release-corrected', release: id, correction: correction.id, reason, changes: correction.changes });
    } catch (error) {
      this.save(item); // not logged, so not corrected (the unused file is overwritten by the next try)
      throw error;
    }
    const next = corrected_(item, correction, corrected.text);
    this.save(next);
    return next;
  }

  /** The marks the requester's answer carries (corrected, cells suppressed). */
  marks(item: ReleaseItem): AnswerMarks {
    const last = item.corrections?.at(-1);
    const cells = new Map<string, Position>();
    for (const ch of item.corrections?.flatMap((c) => c.changes) ?? []) cells.set(`${ch.question}\u0000${ch.row}\u0000${ch.column}`, { question: ch.question, row: ch.row, column: ch.column });
    return {
      ...(last ? { corrected: { at: last.at, reason: last.reason, corrections: item.corrections!.length, cells: [...cells.values()] } } : {}),
      ...(item.suppressed?.length ? { suppressed: { minGroupSize: item.smallCellCheck?.minGroupSize ?? 0, cells: item.suppressed } } : {}),
    };
  }

  /**
   * Settle intents left by a killed decider or corrector (older than `olderThanMs`): a decision
   * or correction stands when its audit entry is in the log, otherwise it is dropped (the item
   * is as before it). Returns the settled items.
   */
  recover(olderThanMs = INTENT_STALE_MS): ReleaseItem[] {
    const stuck = this.open('pending').filter((i) => (i.deciding || i.correcting) && this.stale(i, olderThanMs));
    if (!stuck.length) return [];
    const ids = new Set(stuck.map((i) => i.id));
    const logged = new Map<string, string>();
    const corrections = new Set<string>();
    const match = (e: Record<string, unknown>) => typeof e.release === 'string' && ids.has(e.release) && (e.activity === 'released' || e.activity === 'release-rejected' || e.activity === 'release-corrected');
    for (const e of auditFor(this.dataDir).find(match, { releases: [...ids] })) {
      if (e.activity === 'release-corrected') corrections.add(e.correction as string);
      else logged.set(e.release as string, e.activity);
    }
    return stuck.map((item) => {
      const { deciding, correcting, ...clean } = item;
      if (correcting) {
        const next = corrections.has(correcting.id) ? corrected_(clean, correcting, this.readBody(correcting.answerFile)) : clean;
        this.save(next);
        return next;
      }
      const activity = logged.get(item.id);
      // The entry names the decision; a decider only ever logs the one in its intent.
      const next = activity && deciding ? decided(clean, { ...deciding, decision: activity === 'released' ? 'approved' : 'rejected' }, deciding.at) : clean;
      this.save(next);
      return next;
    });
  }

  private stale(item: ReleaseItem, olderThanMs = INTENT_STALE_MS): boolean {
    const at = item.deciding?.at ?? item.correcting?.at;
    return !at || Date.now() - Date.parse(at) >= olderThanMs;
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
    ...(d.suppressed ? { suppressed: d.suppressed } : {}),
  };
}

/** The item once a correction took effect: its answer is the corrected one, its small cells recounted. */
function corrected_(item: ReleaseItem, c: Correction, answer: string): ReleaseItem {
  const { correcting: _c, ...clean } = item;
  const check = item.smallCellCheck;
  const tables = answerTables(answer);
  const smallCells = check ? item.questions.flatMap((q) => (tables.has(q.id) ? smallCellsOf(q.id, tables.get(q.id)!, q.countColumns, check.minGroupSize) : [])) : [];
  return { ...clean, originalFile: item.originalFile ?? item.answerFile, answerFile: c.answerFile, corrections: [...(item.corrections ?? []), c], smallCells };
}
