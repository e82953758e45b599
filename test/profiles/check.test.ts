// `profiles check` on a small dataset: data vs no data vs empty, what the dataset lacks, the
// parameter values shown, indicator order, refusals, the exit code and the activity-log entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditPath } from '../../src/audit/index.js';
import { registerQueryCommands } from '../../src/cli/query-commands.js';
import { runImport } from '../../src/importer/index.js';
import { answerStatus, installProfile, queryVocabulary } from '../../src/profiles/index.js';
import { QueryError } from '../../src/query/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { testConfig, writeFixture } from '../helpers.js';

const PREFIXES = 'PREFIX onz-g: <http://purl.org/ozo/onz-g#>\nPREFIX onz-plan: <http://purl.org/ozo/onz-plan#>\nPREFIX onz-zorg: <http://purl.org/ozo/onz-zorg#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n';
const q = (id: string, params: string, body: string) => `# Uitwisselprofiel Check Test 1.0.0\n# Indicator: CT ${id}\n# Parameters: ${params}\n${PREFIXES}${body}\n`;
// Ids sort out of completion order on purpose: 2.1 is the slowest, yet must print after 1.x.
const PROFILE = {
  '1.1.rq': q('1.1', '?peildatum', 'SELECT ("Totaal" AS ?label) (COUNT(?h) AS ?n) WHERE {\n  # BIND("2024-03-31"^^xsd:date AS ?peildatum)\n  ?h a onz-g:Human }'),
  '1.2.rq': q('1.2', '?peildatum', 'SELECT ("Totaal" AS ?label) (COUNT(?e) AS ?n) WHERE {\n  # BIND("2024-03-31"^^xsd:date AS ?peildatum)\n  OPTIONAL { ?e a onz-plan:PlannedEntity ; onz-plan:hasPlannedStart ?s . ?s a onz-g:Human } MINUS { ?e onz-zorg:nooitGebruikt ?x } }'),
  '1.3.rq': q('1.3', '-', 'SELECT ?x WHERE { VALUES ?y { <http://purl.org/ozo/onz-fin#PM411000> <http://purl.org/ozo/onz-g#Human> } ?x a onz-zorg:BestaatNiet ; onz-g:hasDateOfBirth/onz-zorg:ookNiet ?y }'),
  '2.1.rq': q('2.1', '?jaar', 'SELECT ?n WHERE {\n  # BIND(2024 AS ?jaar)\n  BIND(?jaar AS ?n) }'),
};

const config = testConfig();
let out: string[] = [];

async function check(...args: string[]): Promise<{ text: string; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  registerQueryCommands(program, () => config);
  out = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'datastation', 'profiles', 'check', '-p', 'check-test', ...args]);
    return { text: out.join('\n'), exitCode: process.exitCode as number | undefined };
  } finally {
    log.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
  installProfile(writeFixture(PROFILE), join(config.dataDir, 'profiles'));
}, 60_000);
afterAll(() => {
  process.exitCode = undefined;
});

describe('answer status', () => {
  const cell = (value: string, datatype?: string) => ({ type: 'literal', value, ...(datatype ? { datatype } : {}) });
  const XSD = 'http://www.w3.org/2001/XMLSchema#';
  const body = (rows: Record<string, unknown>[]) => JSON.stringify({ head: { vars: [] }, results: { bindings: rows } });
  it('calls zeros next to labels, and unbound cells, "no data"', () => {
    expect(answerStatus(body([]))).toBe('empty');
    expect(answerStatus(body([{ l: cell('Totaal'), n: cell('0', `${XSD}integer`) }, { l: cell('000012345601'), n: cell('0.0', `${XSD}decimal`) }]))).toBe('no data');
    expect(answerStatus(body([{}, { l: cell('') }]))).toBe('no data');
    expect(answerStatus(body([{ l: cell('Totaal'), n: cell('0', `${XSD}integer`) }, { n: cell('2.5', `${XSD}decimal`) }]))).toBe('data');
    expect(answerStatus(body([{ naam: cell('Jansen') }]))).toBe('data');
    // Row labels only, every figure unbound (IGJ aangekondigd 1.2.3 on an engine that loses its sums).
    const labelled = (vars: string[], rows: Record<string, unknown>[]) => JSON.stringify({ head: { vars }, results: { bindings: rows } });
    expect(answerStatus(labelled(['niveau', 'uren'], [{ niveau: cell('Niveau 3') }, { niveau: cell('Totaal') }]))).toBe('no data');
    expect(answerStatus(labelled(['niveau', 'naam'], [{ niveau: cell('Niveau 3'), naam: cell('Jansen') }]))).toBe('data');
    expect(answerStatus(labelled(['naam'], [{ naam: cell('Jansen') }]))).toBe('data');
  });

  it('reads the vocabulary of triple patterns and VALUES, paths included, MINUS left out', () => {
    const v = queryVocabulary(PROFILE['1.2.rq'].replace('# BIND', 'BIND'));
    expect([...v.classes].sort()).toEqual(['http://purl.org/ozo/onz-g#Human', 'http://purl.org/ozo/onz-plan#PlannedEntity']);
    expect([...v.properties]).toEqual(['http://purl.org/ozo/onz-plan#hasPlannedStart']);
    expect([...queryVocabulary(PROFILE['1.3.rq']).terms].sort()).toEqual(['http://purl.org/ozo/onz-fin#PM411000', 'http://purl.org/ozo/onz-g#Human']);
    expect([...queryVocabulary(PROFILE['1.3.rq']).properties].sort()).toEqual(['http://purl.org/ozo/onz-g#hasDateOfBirth', 'http://purl.org/ozo/onz-zorg#ookNiet']);
  });
});

describe('profiles check', () => {
  it('says which indicators carry data, why the others do not, with the values used, in order', async () => {
    const { text, exitCode } = await check('--param', 'peildatum=2024-06-30');
    expect(exitCode).toBeUndefined();
    const lines = text.split('\n');
    const row = (id: string) => lines.find((l) => l.trim().startsWith(`${id} `))!;
    expect(row('1.1')).toMatch(/^\s+1\.1\s+1\s+data\s+\d+\s+peildatum=2024-06-30$/);
    expect(row('1.2')).toMatch(/\s1\s+no data\s.*peildatum=2024-06-30/);
    expect(lines[lines.indexOf(row('1.2')) + 1]).toBe('      dataset lacks: classes onz-plan:PlannedEntity; properties onz-plan:hasPlannedStart');
    expect(row('1.3')).toMatch(/\s0\s+empty\s.*\s-$/);
    expect(lines[lines.indexOf(row('1.3')) + 1]).toBe('      dataset lacks: classes onz-zorg:BestaatNiet; properties onz-zorg:ookNiet; terms onz-fin:PM411000');
    expect(row('2.1')).toMatch(/data\s+\d+\s+jaar=2024$/); // the query's own example
    expect(['1.1', '1.2', '1.3', '2.1'].map((id) => lines.indexOf(row(id)))).toEqual([...lines.map((_, i) => i)].filter((i) => /^\s+\d\.\d\s/.test(lines[i]!)));
    expect(text).toContain('4 indicators: 2 with data, 1 no data, 1 empty, 0 errors');
    const entry = JSON.parse(readFileSync(auditPath(config.dataDir), 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(entry).toMatchObject({ activity: 'profiles-check', parameters: { peildatum: '2024-06-30' } });
    expect((entry.indicators as { indicator: string; status: string }[]).map((i) => `${i.indicator}:${i.status}`)).toEqual(['1.1:data', '1.2:no data', '1.3:empty', '2.1:data']);
  }, 60_000);

  it('exits non-zero when an indicator errors', async () => {
    const { text, exitCode } = await check('--param', 'peildatum=2024-02-30');
    expect(exitCode).toBe(1);
    expect(text).toMatch(/1\.1\s+0\s+error/);
    expect(text).toContain('error: a parameter value does not meet its declared constraints: peildatum: expected a date yyyy-mm-dd');
  }, 60_000);

  it('refuses a parameter name no indicator declares, before running anything', async () => {
    const before = readFileSync(auditPath(config.dataDir), 'utf8');
    const refused = check('--param', 'peildaatum=2024-06-30');
    await expect(refused).rejects.toThrow(QueryError);
    await expect(refused).rejects.toThrow(/does not declare: peildaatum \(declared: jaar, peildatum\)/);
    expect(readFileSync(auditPath(config.dataDir), 'utf8')).toBe(before);
  }, 60_000);
});
