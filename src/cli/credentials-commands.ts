// `datastation credentials …`: play the other roles with real keys, for suppliers testing their
// clients and for our own demo and tests. Keys are test-only and kept under credentials/test-only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Config } from '../config/index.js';
import { ProfileRegistry } from '../profiles/index.js';
import { didDocumentFileName, Parties, trustListSchema } from '../trust/index.js';
import { profileRoots } from './engine.js';
import { safeName } from './safe-name.js';

const DEFAULT_DIR = join('credentials', 'test-only');

interface DirOption {
  dir: string;
}

/** Add `did` to the datastation's trust list (and keep its did:web document where it resolves). */
export function trustIssuer(config: Config, did: string, types: string[], documentsDir?: string): void {
  const file = config.trust.trustList!;
  const list = trustListSchema.parse(existsSync(file) ? (parseYaml(readFileSync(file, 'utf8')) ?? {}) : {});
  const others = list.issuers.filter((i) => i.did !== did);
  writeFileSync(file, stringifyYaml({ issuers: [...others, { did, credentialTypes: types }] }));
  if (did.startsWith('did:web:') && documentsDir) {
    mkdirSync(config.trust.didDocumentsDir!, { recursive: true });
    writeFileSync(join(config.trust.didDocumentsDir!, didDocumentFileName(did)), readFileSync(join(documentsDir, didDocumentFileName(did))));
  }
}

/** The question-credential claims for a profile indicator: its profile, ontology and text. */
export function indicatorClaims(config: Config, profile: string, indicator: string, version?: string) {
  const ind = ProfileRegistry.load(profileRoots(config)).indicator(profile, indicator, version);
  return {
    profile: { id: ind.profile.id, version: ind.profile.version },
    ontology: { id: 'onz', version: ind.profile.ontology.min },
    query: ind.text,
  };
}

export function registerCredentialCommands(program: Command, config: () => Config): void {
  const credentials = program
    .command('credentials')
    .description('test credentials: play the beheerorganisatie and a requester with real (test-only) keys');
  const dirOption = ['--dir <dir>', 'where the test-only identities are kept', DEFAULT_DIR] as const;

  credentials
    .command('create')
    .description('create a test identity (Ed25519)')
    .argument('<alias>', 'a name; for did:web the host (and :path), e.g. beheer.kik-v.example')
    .option('-m, --method <method>', 'web | key | jwk', 'key')
    .option(...dirOption)
    .action(async (alias: string, opts: DirOption & { method: 'web' | 'key' | 'jwk' }) => {
      // the alias names the did:web document's file: checked before anything is created
      safeName('the alias', alias, opts.method === 'web' ? 'did-web' : 'plain');
      const parties = await Parties.open(opts.dir);
      const identifier = await parties.create(opts.method, alias);
      console.log(identifier.did);
    });

  credentials
    .command('trust')
    .description("put a test issuer on this datastation's trust list (and its did:web document where it resolves)")
    .argument('<did-or-alias>')
    .option('-t, --type <type...>', 'credential types', ['ValidQueryCredential', 'ValidatedQueryCredential'])
    .option(...dirOption)
    .action(async (who: string, opts: DirOption & { type: string[] }) => {
      const parties = await Parties.open(opts.dir);
      const { did } = await parties.find(who);
      trustIssuer(config(), did, opts.type, parties.documentsDir);
      console.log(`${did} trusted for ${opts.type.join(', ')} in ${config().trust.trustList}`);
    });

  credentials
    .command('issue')
    .description('issue a question credential for a profile indicator (prints the JWT)')
    .requiredOption('--issuer <did-or-alias>')
    .requiredOption('--subject <did-or-alias>')
    .requiredOption('-p, --profile <id>')
    .requiredOption('-i, --indicator <id>')
    .option('--profile-version <v>')
    .option('--pilot', "the pilot's ValidatedQueryCredential layout")
    .option('--days <n>', 'validity in days', '30')
    .option(...dirOption)
    .action(async (opts: DirOption & { issuer: string; subject: string; profile: string; indicator: string; profileVersion?: string; pilot?: boolean; days: string }) => {
      const parties = await Parties.open(opts.dir);
      const [issuer, subject] = [(await parties.find(opts.issuer)).did, await resolveSubject(parties, opts.subject)];
      const claims = indicatorClaims(config(), opts.profile, opts.indicator, opts.profileVersion);
      const jwt = await parties.issueQuestion(issuer, subject, claims, { type: opts.pilot ? 'ValidatedQueryCredential' : 'ValidQueryCredential', validSeconds: Number(opts.days) * 86400 });
      console.log(jwt);
    });

  credentials
    .command('present')
    .description("build the requester's presentation of credentials for a datastation (prints the JWT)")
    .requiredOption('--holder <did-or-alias>')
    .requiredOption('--audience <did>', "the datastation's DID")
    .argument('<credential-files...>', 'files holding credential JWTs (- for stdin)')
    .option('--seconds <n>', 'validity', '300')
    .option(...dirOption)
    .action(async (files: string[], opts: DirOption & { holder: string; audience: string; seconds: string }) => {
      const parties = await Parties.open(opts.dir);
      const holder = (await parties.find(opts.holder)).did;
      const jwts = files.map((f) => readFileSync(f === '-' ? 0 : f, 'utf8').trim());
      console.log(await parties.present(holder, opts.audience, jwts, Number(opts.seconds)));
    });
}

async function resolveSubject(parties: Parties, who: string): Promise<string> {
  if (who.startsWith('did:')) return who;
  return (await parties.find(who)).did;
}
