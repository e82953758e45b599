// `datastation accounts add|list|remove|passwd|role`: the named people who sign in to the admin
// console. A password comes from --password-file, or stdin: typed without echo (twice) on a
// terminal, else its first line (for scripts). Every change is logged as the CLI user.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { ROLES } from '../accounts/index.js';
import { accountStore } from '../state/index.js';
import { AuditWriteError } from '../audit/index.js';
import { CliError } from './errors.js';

const cliActor = () => `cli:${process.env.USER ?? 'unknown'}`;

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** One line from a terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const mute = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: mute, terminal: true });
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      rl.close();
      process.stderr.write('\n');
      resolve(line);
    });
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > 64 * 1024) break;
  }
  return firstLine(Buffer.concat(chunks).toString('utf8'));
}

export async function readPassword(opts: { passwordFile?: string }): Promise<string> {
  if (opts.passwordFile) return firstLine(readFileSync(opts.passwordFile, 'utf8'));
  if (!process.stdin.isTTY) return readStdin();
  const first = await askHidden('password: ');
  const again = await askHidden('again: ');
  if (first !== again) throw new CliError('the two passwords differ');
  return first;
}

/** A change that cannot be logged is not made (the store logs before it writes): a refusal, exit 2. */
async function logged<T>(change: () => T | Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof AuditWriteError) throw new CliError(`nothing changed: the change cannot be logged (${error.message})`);
    throw error;
  }
}

export function registerAccountCommands(program: Command, config: () => Config): void {
  const accounts = program.command('accounts').description('named accounts for the admin console (role operator or viewer)');
  const store = () => accountStore(config());
  accounts
    .command('add')
    .argument('<name>')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--password-file <file>', 'read the password from the first line of this file (else stdin)')
    .action(async (name: string, opts: { role: string; passwordFile?: string }) => {
      const s = store();
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new CliError(`the role must be one of ${ROLES.join(', ')}`);
      if (s.get(name)) throw new CliError(`account ${name} already exists`);
      const password = await readPassword(opts);
      const account = await logged(() => s.add(name, opts.role, password, cliActor()));
      console.log(`added ${account.name} (${account.role})`);
    });
  accounts
    .command('list')
    .action(() => {
      const list = store().list();
      if (!list.length) console.log('no accounts (the admin token still works)');
      for (const a of list) console.log(`${a.name}  ${a.role}  created ${a.createdAt}`);
    });
  accounts
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      await logged(() => store().remove(name, cliActor()));
      console.log(`removed ${name}; its sessions end at their next request`);
    });
  accounts
    .command('passwd')
    .argument('<name>')
    .option('--password-file <file>', 'read the password from the first line of this file (else stdin)')
    .action(async (name: string, opts: { passwordFile?: string }) => {
      const s = store();
      if (!s.get(name)) throw new CliError(`no account named ${name}`);
      const password = await readPassword(opts);
      await logged(() => s.passwd(name, password, cliActor()));
      console.log(`password of ${name} changed; its sessions end at their next request`);
    });
  accounts
    .command('role')
    .argument('<name>')
    .argument('<role>', ROLES.join(' | '))
    .action(async (name: string, role: string) => {
      await logged(() => store().setRole(name, role, cliActor()));
      console.log(`${name} is now ${role}; its sessions end at their next request`);
    });
}
