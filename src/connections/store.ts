// The connections of this data folder, in one JSON file (0600, written atomically): added, edited
// and removed by the CLI or the admin API, each change in the activity log with who made it.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { recordActivity } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { loadMappings, RDF_SYSTEM } from '../mapping/index.js';
import { writeFileDurable } from '../store/index.js';
import { ConnectionError } from './errors.js';
import { connectionInput, storedConnection, type AuthInput, type Connection, type ConnectionInput, type SourceInput, type StoredAuth, type StoredSource } from './schema.js';
import { encryptSecret } from './secrets.js';

const fileSchema = z.strictObject({ connections: z.array(storedConnection) });

export function connectionsDir(dataDir: string): string {
  return join(dataDir, 'connections');
}

export function connectionsFile(dataDir: string): string {
  return join(connectionsDir(dataDir), 'connections.json');
}

/** The file's modification time (0 when absent): the scheduler reloads when it moves. */
export function connectionsStamp(dataDir: string): number {
  const file = connectionsFile(dataDir);
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

export function listConnections(dataDir: string): Connection[] {
  const file = connectionsFile(dataDir);
  if (!existsSync(file)) return [];
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ConnectionError('bad_connection', `${file} is not a connections file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.connections;
}

export function getConnection(dataDir: string, name: string): Connection {
  const found = listConnections(dataDir).find((c) => c.name === name);
  if (!found) throw new ConnectionError('unknown_connection', `no connection named "${name.slice(0, 63)}"`);
  return found;
}

function save(dataDir: string, connections: Connection[]): void {
  mkdirSync(connectionsDir(dataDir), { recursive: true, mode: 0o700 });
  writeFileDurable(connectionsFile(dataDir), JSON.stringify({ connections }, null, 1), 0o600);
}

/** zod's first problem as one sentence. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.join('.') || 'connection';
  throw new ConnectionError('bad_connection', `${where}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message}`);
}

function checkSystem(config: Config, system: string, mappings: string | undefined): void {
  if (system === RDF_SYSTEM) return;
  const known = loadMappings(mappings ?? config.mappingsDir, config.mappings.overrides);
  if (!known.has(system)) throw new ConnectionError('unknown_system', `no mapping set for system "${system.slice(0, 100)}"; known: ${[...known.keys()].join(', ')}`);
}

async function sealAuth(config: Config, auth: AuthInput): Promise<StoredAuth> {
  return auth.kind === 'basic'
    ? { kind: 'basic', user: auth.user, secret: await encryptSecret(config, auth.password) }
    : { kind: 'bearer', secret: await encryptSecret(config, auth.token) };
}

/**
 * The source as stored. An http source given without a credential keeps the one it had, but only
 * for the same origin: a credential is never sent to a host it was not given for.
 */
async function storeSource(config: Config, source: SourceInput, before?: StoredSource): Promise<StoredSource> {
  if (source.kind === 'folder') return { kind: 'folder', path: resolve(source.path) };
  const { auth, ...rest } = source;
  const kept = before?.kind === 'http' && before.auth && new URL(before.url).origin === new URL(source.url).origin ? before.auth : undefined;
  const sealed = auth ? await sealAuth(config, auth) : kept;
  return { ...rest, ...(sealed ? { auth: sealed } : {}) };
}

export async function addConnection(config: Config, input: unknown, actor: string): Promise<Connection> {
  const given: ConnectionInput = parseInput(connectionInput, input);
  const all = listConnections(config.dataDir);
  if (all.some((c) => c.name === given.name)) throw new ConnectionError('connection_exists', `a connection named "${given.name}" exists; edit or remove it`);
  const mappings = given.mappings ? resolve(given.mappings) : undefined;
  checkSystem(config, given.system, mappings);
  const now = new Date().toISOString();
  const connection: Connection = {
    name: given.name, system: given.system, ...(mappings ? { mappings } : {}), source: await storeSource(config, given.source),
    ...(given.schedule ? { schedule: given.schedule } : {}), createdAt: now, updatedAt: now, by: actor,
  };
  // Logged before it takes effect: a change that cannot be logged is not made.
  recordActivity(config.dataDir, { actor, activity: 'connection-add', connection: connection.name, system: connection.system, source: sourceSummary(connection.source), schedule: connection.schedule });
  save(config.dataDir, [...all, connection]);
  return connection;
}

const editInput = connectionInput.omit({ name: true }).partial().extend({ schedule: connectionInput.shape.schedule.or(z.null()) });

/** Change some fields; `schedule: null` removes the schedule (runs only on demand). */
export async function editConnection(config: Config, name: string, input: unknown, actor: string): Promise<Connection> {
  const patch = parseInput(editInput, input);
  const all = listConnections(config.dataDir);
  const before = getConnection(config.dataDir, name);
  const mappings = patch.mappings !== undefined ? resolve(patch.mappings) : before.mappings;
  const system = patch.system ?? before.system;
  checkSystem(config, system, mappings);
  const schedule = patch.schedule === null ? undefined : (patch.schedule ?? before.schedule);
  const source = patch.source ? await storeSource(config, patch.source, before.source) : before.source;
  const after: Connection = {
    name, system, ...(mappings ? { mappings } : {}), source, ...(schedule ? { schedule } : {}),
    createdAt: before.createdAt, updatedAt: new Date().toISOString(), by: actor,
  };
  recordActivity(config.dataDir, {
    actor, activity: 'connection-edit', connection: name, changed: Object.keys(patch), system, source: sourceSummary(source), schedule,
    ...(patch.source?.kind === 'http' && patch.source.auth ? { credential: 'replaced' } : {}),
  });
  save(config.dataDir, all.map((c) => (c.name === name ? after : c)));
  return after;
}

export function removeConnection(config: Config, name: string, actor: string): void {
  const all = listConnections(config.dataDir);
  getConnection(config.dataDir, name);
  recordActivity(config.dataDir, { actor, activity: 'connection-remove', connection: name });
  save(config.dataDir, all.filter((c) => c.name !== name));
}

/** Where from, for logs: the folder, or the URL's origin and path (never a query string, never a secret). */
export function sourceSummary(source: StoredSource): string {
  if (source.kind === 'folder') return `folder ${source.path}`;
  const url = new URL(source.url);
  return `${url.origin}${url.pathname}${source.auth ? ` (${source.auth.kind} auth)` : ''}`;
}
