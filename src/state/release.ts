// The release queue in PostgreSQL: items and answers in tables, so a question queued on one
// process is decided on another and delivered by whichever polls first. The decision logic and
// its crash safety (intent, audit entry, decision) are the file queue's; only storage differs,
// and the intent is saved only on an item nobody is deciding (a conditional UPDATE), so two
// processes cannot both decide one item.
import { ReleaseError, ReleaseQueue, type ReleaseItem, type ReleaseState } from '../exchange/release.js';
import type { StateClient } from './client.js';

const REF = 'pg:';

export class PgReleaseQueue extends ReleaseQueue {
  constructor(
    dataDir: string,
    private readonly client: StateClient,
    private readonly tenant: string,
  ) {
    super(dataDir);
  }

  override get(id: string): ReleaseItem {
    if (!/^[\w-]{1,100}$/.test(id)) throw new ReleaseError('unknown_release', 'no such release');
    const [row] = this.client.rows<{ item: ReleaseItem }>('SELECT item FROM release_items WHERE tenant = $1 AND id = $2', [this.tenant, id]);
    if (!row) throw new ReleaseError('unknown_release', `no release ${id}`);
    return row.item;
  }

  override list(state?: ReleaseState): ReleaseItem[] {
    return this.select('', state);
  }

  override open(state?: ReleaseState): ReleaseItem[] {
    return this.select(' AND NOT done', state);
  }

  private select(where: string, state?: ReleaseState): ReleaseItem[] {
    const params: unknown[] = [this.tenant];
    if (state) params.push(state);
    return this.client.rows<{ item: ReleaseItem }>(`SELECT item FROM release_items WHERE tenant = $1${where}${state ? ' AND state = $2' : ''} ORDER BY received, id`, params).map((r) => r.item);
  }

  override save(item: ReleaseItem): void {
    const done = item.delivery === 'delivered' || item.delivery === 'failed';
    this.client.rows(
      `INSERT INTO release_items (tenant, id, received, state, done, item) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant, id) DO UPDATE SET state = EXCLUDED.state, done = EXCLUDED.done, item = EXCLUDED.item`,
      [this.tenant, item.id, item.received, item.state, done, JSON.stringify(item)],
    );
  }

  protected override saveIntent(item: ReleaseItem): void {
    const changed = this.client.callSync({
      op: 'query',
      sql: "UPDATE release_items SET item = $3 WHERE tenant = $1 AND id = $2 AND state = 'pending' AND NOT (item ? 'deciding') AND NOT (item ? 'correcting')",
      params: [this.tenant, item.id, JSON.stringify(item)],
    }).rowCount;
    if (changed !== 1) throw new ReleaseError('not_pending', `release ${item.id} is being decided elsewhere`);
  }

  protected override bodyRef(name: string): string {
    return `${REF}${name}`;
  }

  protected override writeBody(ref: string, text: string): void {
    this.client.rows('INSERT INTO release_answers (tenant, name, body) VALUES ($1, $2, $3) ON CONFLICT (tenant, name) DO UPDATE SET body = EXCLUDED.body', [this.tenant, name(ref), text]);
  }

  protected override readBody(ref: string): string {
    const [row] = this.client.rows<{ body: string }>('SELECT body FROM release_answers WHERE tenant = $1 AND name = $2', [this.tenant, name(ref)]);
    if (!row) throw new Error('the answer of this release is missing from the state database');
    return row.body;
  }
}

function name(ref: string): string {
  if (!ref.startsWith(REF)) throw new Error('not an answer of the state database');
  return ref.slice(REF.length);
}
