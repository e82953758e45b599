// The data path: exports → rows → quads (mapping) → checks (validate) → a new generation (store).
// The previous generation stays current until the new one is completely on disk.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Parser } from 'n3';
import type { Quad } from '@rdfjs/types';
import { recordActivity } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { loadMappings, mapRdf, mapSystem, assignFiles, RDF_SYSTEM, type EntityStats, type RowProblem, type SystemResult } from '../mapping/index.js';
import { NS, RDF_TYPE, iri, literal, namedNode, quad } from '../rdf/index.js';
import {
  GenerationWriter,
  calendarQuads,
  generationsDir,
  latestGoodGeneration,
  ledgerCodeQuads,
  loadReference,
  loadTbox,
  ontologyVersions,
  pruneGenerations,
  superclassIndex,
  withSuperclassTypes,
  yearSpan,
  type Manifest,
  type SourceEntry,
} from '../store/index.js';
import { countBy, loadShapes, validateGraph, writeQuarantineReport, type ShaclFinding } from '../validate/index.js';
import { expandInputs } from './files.js';
import { isRdfFile } from '../ingest/index.js';
import { acquireImportLock } from './lock.js';
import { shrinkRefusals } from './shrink.js';
import { absenceParticipants } from './participants.js';
import { supersededTotals, withoutSuperseded } from './worked-hours.js';
import { referenceFor, renameIndividuals } from './reference.js';

export interface ImportOptions {
  inputs: string[];
  /** Only this source system (afas-hr, ons-ecd, exact-fin, …); default: every system a file matches. */
  source?: string;
  actor?: string;
  /** Accept a source that maps to zero rows although the previous generation had data for it (implies allowShrink). */
  allowEmpty?: boolean;
  /** Accept entities that are missing, map no row, or shrink beyond import.maxShrinkPercent. */
  allowShrink?: boolean;
  onProgress?: (message: string) => void;
  /** Sources made here rather than read from files (manual values): mapped already, replacing their previous data. */
  generated?: SystemResult[];
}

export interface SystemSummary {
  system: string;
  files: string[];
  entities: EntityStats[];
  rowsRead: number;
  rowsMapped: number;
  rowsQuarantined: number;
  triples: number;
}

export interface ImportSummary {
  generation: string;
  previous?: string;
  systems: SystemSummary[];
  carried: string[];
  unclaimed: string[];
  rowsRead: number;
  rowsMapped: number;
  rowsQuarantined: number;
  quarantineByReason: Record<string, number>;
  shacl: { violations: number; warnings: number; byMessage: Record<string, number> };
  triples: { total: number; data: number; tbox: number; reference: number; calendar: number };
  /** AFAS monthly totals of worked hours set aside because realised shifts cover that agreement and month. */
  supersededWorkedTotals: number;
  years?: [number, number];
  reportDir: string;
  durationMs: number;
}

export class ImportRejectedError extends Error {
  constructor(readonly code: 'nothing_to_import' | 'empty_source' | 'shrunk_import', message: string, readonly reportDir?: string) {
    super(message);
  }
}

function organisationQuads(config: Config): Quad[] {
  const org = namedNode(config.organisation.iriBase + 'organisatie');
  const kvk = namedNode(config.organisation.iriBase + 'organisatie/kvk');
  return [
    quad(org, RDF_TYPE, iri('onz-g:Business')),
    quad(org, iri('rdfs:label'), literal(config.organisation.name)),
    quad(org, iri('onz-g:identifiedBy'), kvk),
    quad(kvk, iri('onz-g:hasDataValue'), literal(config.organisation.kvk)),
  ];
}

/**
 * Prismant codes are numeric and open-ended: mint each one an account is part of, with its parents.
 * The `PM…` spelling of the same code (NZa kostenonderzoek) is minted as the code alone: those
 * queries name every code they count, and a parent chain would only invite double counting.
 */
function prismantCodes(quads: Quad[]): Quad[] {
  const partOf = NS['onz-g'] + 'partOf';
  const codes = new Set<string>();
  const pm = new Set<string>();
  for (const q of quads) {
    if (q.predicate.value === partOf && q.object.value.startsWith(NS['onz-fin'])) {
      const code = q.object.value.slice(NS['onz-fin'].length);
      if (/^[0-9]+$/.test(code)) codes.add(code);
      else if (PM_CODE.test(code)) pm.add(code);
    }
  }
  return [...[...codes].flatMap(ledgerCodeQuads), ...[...pm].map((c) => quad(namedNode(NS['onz-fin'] + c), RDF_TYPE, iri('onz-fin:Grootboekrubriek')))];
}

const PM_CODE = /^PM[0-9]+$/;
const isPrismant = (code: string) => /^[0-9]+$/.test(code) || PM_CODE.test(code);

/**
 * The official queries find postings `partOf` the ledger code itself (onz-fin:BLim, onz-fin:4111…)
 * and count each only under its most specific code; an account of our own in between would hide
 * them. So a posting on an account is placed directly under the account's ledger code. An account
 * the organisation maps onto Prismant (exact-fin/prismant.yaml) has an RGS code and a Prismant code
 * in two spellings; its postings go under the Prismant code only. Every published query that reads
 * postings lists RGS and Prismant codes side by side for the same category (NZa 3.1: WPerLes and
 * PM411000), so a posting under both would be counted twice; no query reads both spellings of one
 * Prismant code (Zorgkantoren and NZa 10.2 the bare number, the other NZa queries PM…).
 */
function postingsOnLedgerCodes(quads: Quad[], context: Quad[]): Quad[] {
  const partOf = NS['onz-g'] + 'partOf';
  const posting = NS['onz-fin'] + 'Grootboekpost';
  const codesOf = new Map<string, Quad['object'][]>();
  const postings = new Set<string>();
  for (const q of [...context, ...quads]) {
    if (q.predicate.value === partOf && q.object.value.startsWith(NS['onz-fin']) && !q.subject.value.startsWith(NS['onz-fin'])) {
      const list = codesOf.get(q.subject.value) ?? [];
      if (!list.some((c) => c.equals(q.object))) list.push(q.object);
      codesOf.set(q.subject.value, list);
    }
    if (q.predicate.value === RDF_TYPE.value && q.object.value === posting) postings.add(q.subject.value);
  }
  return quads.flatMap((q) => {
    const codes = q.predicate.value === partOf && postings.has(q.subject.value) ? codesOf.get(q.object.value) : undefined;
    if (!codes) return [q];
    const prismant = codes.filter((c) => isPrismant(c.value.slice(NS['onz-fin'].length)));
    return (prismant.length > 0 ? prismant : codes).map((c) => quad(q.subject, q.predicate, c));
  });
}

function readNTriples(path: string): Quad[] {
  return new Parser({ format: 'N-Triples' }).parse(readFileSync(path, 'utf8'));
}

export async function runImport(config: Config, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const dataDir = config.dataDir;
  const progress = options.onProgress ?? (() => undefined);
  mkdirSync(dataDir, { recursive: true });
  const release = acquireImportLock(dataDir);
  let writer: GenerationWriter | undefined;
  try {
    pruneGenerations(dataDir, Number.MAX_SAFE_INTEGER); // clears unfinished temp folders of killed imports
    let previous: Manifest | undefined;
    try {
      previous = await latestGoodGeneration(dataDir);
    } catch {
      previous = undefined;
    }

    const files = expandInputs(options.inputs);
    const allMappings = loadMappings(config.mappingsDir, config.mappings.overrides);
    const systems = options.source ? new Map([[options.source, allMappings.get(options.source) ?? []]]) : allMappings;
    if (options.source && !allMappings.has(options.source) && options.source !== RDF_SYSTEM) {
      throw new ImportRejectedError('nothing_to_import', `unknown source "${options.source}"; known: ${[...allMappings.keys()].join(', ')}`);
    }
    const filesBySystem = new Map<string, string[]>();
    const generated = new Map((options.generated ?? []).map((g) => [g.system, g]));
    for (const system of generated.keys()) filesBySystem.set(system, []);
    const unclaimed: string[] = [];
    for (const file of files) {
      // RDF files are the `rdf` source (ONZ RDF produced elsewhere), taken as they are.
      const rdf = isRdfFile(file) && (!options.source || options.source === RDF_SYSTEM) ? RDF_SYSTEM : undefined;
      const system = rdf ?? [...systems].find(([, mappings]) => assignFiles(mappings, [file]).unclaimed.length === 0)?.[0];
      if (system) filesBySystem.set(system, [...(filesBySystem.get(system) ?? []), file]);
      else unclaimed.push(file);
    }
    const display = (f: string) => relative(process.cwd(), f) || f;
    const problems: RowProblem[] = unclaimed.map((file) => ({
      system: options.source ?? '', entity: '', file: display(file), row: 0, code: 'unclaimed_file',
      reason: 'no mapping reads this file name; rename it or add a mapping',
    }));
    if (filesBySystem.size === 0) {
      const reportDir = writeQuarantineReport(dataDir, `rejected-${Date.now()}`, problems, []).dir;
      throw new ImportRejectedError('nothing_to_import', `no importable files in ${options.inputs.join(', ')}`, reportDir);
    }

    const tbox = loadTbox(config.ontologyDir);
    const supers = superclassIndex(tbox);
    const mapped: SystemResult[] = [];
    const refusals: string[] = [];
    for (const [system, sysFiles] of filesBySystem) {
      progress(`${system}: mapping ${sysFiles.length} file(s)`);
      const result = generated.get(system) ?? (system === RDF_SYSTEM ? await mapRdf(sysFiles, display) : await mapSystem(system, systems.get(system)!, sysFiles, {
        iriBase: config.organisation.iriBase,
        dateFormats: config.import.dateFormats,
        decimal: config.import.csv.decimal,
        csv: { delimiter: config.import.csv.delimiter, encoding: config.import.csv.encoding },
        onProgress: (e) => progress(`${system}: ${display(e.file)} ${e.rows} rows`),
      }));
      for (const p of result.problems) p.file = display(p.file);
      for (const e of result.entities) e.files = e.files.map(display);
      for (const v of result.provenance.values()) v.file = display(v.file);
      result.quads = withSuperclassTypes(result.quads, supers);
      for (const p of result.problems) problems.push(p); // not push(...): may be 100k+ rows
      mapped.push(result);
      const rowsMapped = result.entities.reduce((n, e) => n + e.rowsMapped, 0);
      const hadData = previous?.sources.find((s) => s.system === system && s.rowsMapped > 0);
      if (rowsMapped === 0 && hadData && !options.allowEmpty && !generated.has(system)) {
        const reportDir = writeQuarantineReport(dataDir, `rejected-${Date.now()}`, problems, []).dir;
        throw new ImportRejectedError('empty_source', `${system}: no row could be mapped; the previous data stays (use --allow-empty to clear it)`, reportDir);
      }
      if (system !== RDF_SYSTEM && !generated.has(system)) {
        const before = previous?.sources.find((s) => s.system === system);
        refusals.push(...shrinkRefusals(system, systems.get(system)!, result.entities, result.problems, before, { maxShrinkPercent: config.import.maxShrinkPercent }));
      }
    }
    if (refusals.length && !options.allowShrink && !options.allowEmpty) {
      const reportDir = writeQuarantineReport(dataDir, `rejected-${Date.now()}`, problems, []).dir;
      const current = previous ? `generation ${previous.id} stays current` : 'nothing was imported';
      throw new ImportRejectedError('shrunk_import', `import refused, ${current} (pass --allow-shrink to accept the loss):\n  ${refusals.join('\n  ')}`, reportDir);
    }

    // Sources not in this import are carried forward from the previous generation unchanged.
    const fresh = new Set(mapped.map((m) => m.system));
    const carried = (previous?.sources ?? []).filter((s) => !fresh.has(s.system));
    const carriedFiles = new Map(
      carried.flatMap((s) => previous!.files.filter((f) => f.system === s.system)).map((f) => [f.name, readNTriples(join(generationsDir(dataDir), previous!.id, f.name))]),
    );
    let carriedQuads = [...carriedFiles.values()].flat();
    const allMapped = mapped.flatMap((m) => m.quads);
    const context = [...allMapped, ...carriedQuads];
    for (const m of mapped) m.quads = postingsOnLedgerCodes(m.quads, context);
    // NZa kostenonderzoek 1.1 reaches absence through the person (participants.ts).
    for (const m of mapped) m.quads = m.quads.concat(absenceParticipants(m.quads, context));
    // Monthly totals of worked hours that realised shifts replace (one source per agreement and month).
    const superseded = supersededTotals([...allMapped, ...carriedQuads]);
    for (const m of mapped) m.quads = withoutSuperseded(m.quads, superseded);
    for (const [name, quads] of carriedFiles) carriedFiles.set(name, withoutSuperseded(quads, superseded));
    carriedQuads = [...carriedFiles.values()].flat();
    if (superseded.size > 0) progress(`${superseded.size} monthly totals of worked hours replaced by realised shifts`);

    const organisation = organisationQuads(config);
    const dataQuads = [...mapped.flatMap((m) => m.quads), ...carriedQuads];
    const chosen = referenceFor([...loadReference(config.ontologyDir), ...prismantCodes(dataQuads)], dataQuads);
    const reference = chosen.quads;
    // Our individuals mapped onto the data's own for the same code: the data's references follow.
    const renamedFiles = new Set<string>();
    if (chosen.renamed.size) {
      for (const m of mapped) m.quads = renameIndividuals(m.quads, chosen.renamed).quads;
      for (const [name, quads] of carriedFiles) {
        const r = renameIndividuals(quads, chosen.renamed);
        if (!r.changed) continue;
        carriedFiles.set(name, r.quads);
        renamedFiles.add(name);
      }
      carriedQuads = [...carriedFiles.values()].flat();
      progress(`${chosen.renamed.size} reference individual(s) of ours mapped onto the data's own for the same code (${[...chosen.renamed.values()].join(', ')})`);
    }
    if (chosen.ambiguous.length) progress(`the data brings two individuals of its own for ${chosen.ambiguous.join(', ')}: ours kept next to them`);
    if (chosen.replacedLists.length) progress(`the data brings its own ${chosen.replacedLists.map((c) => c.replace(/^.*[#/]/, '')).join(', ')}: ${chosen.droppedIndividuals} reference individual(s) of ours left out`);
    if (chosen.droppedTriples) progress(`${chosen.droppedTriples} reference statement(s) of ours replaced by the data's own`);

    let findings: ShaclFinding[] = [];
    if (config.import.shacl) {
      progress('validating the graph against the SHACL shapes');
      const provenance = new Map(mapped.flatMap((m) => [...m.provenance]));
      findings = await validateGraph(loadShapes(config.ontologyDir), [...mapped.flatMap((m) => m.quads), ...carriedQuads, ...reference, ...organisation], provenance);
    }

    // Years: every year any source has dates in, plus a margin, and the current year.
    const spans = [...mapped.map((m) => yearSpan(m.quads)), ...carried.map((s) => s.years)].filter((s): s is [number, number] => !!s);
    const thisYear = new Date().getUTCFullYear();
    const margin = config.import.calendarMarginYears;
    const years: [number, number] | undefined = spans.length
      ? [Math.min(...spans.map((s) => s[0])) - margin, Math.max(thisYear, ...spans.map((s) => s[1])) + margin]
      : undefined;

    progress('writing the new generation');
    writer = new GenerationWriter(dataDir);
    const tboxFile = writer.write('tbox.nt', 'tbox', tbox);
    const refFile = writer.write('reference.nt', 'reference', reference);
    const calFile = writer.write('calendar.nt', 'calendar', years ? calendarQuads(years[0], years[1]) : []);
    const orgFile = writer.write('organisation.nt', 'organisation', organisation);
    const now = new Date().toISOString();
    const sources: SourceEntry[] = [];
    const summaries: SystemSummary[] = [];
    for (const m of mapped) {
      const written = writer.write(`source-${m.system}.nt`, 'source', m.quads, m.system);
      const rowsRead = m.entities.reduce((n, e) => n + e.rowsRead, 0);
      const rowsMapped = m.entities.reduce((n, e) => n + e.rowsMapped, 0);
      const rowsQuarantined = m.problems.length;
      const span = yearSpan(m.quads);
      sources.push({
        system: m.system, importedAt: now, importedIn: writer.id, files: (filesBySystem.get(m.system) ?? []).map(display),
        rowsRead, rowsMapped, rowsQuarantined, ...(span ? { years: span } : {}),
        entities: m.entities.map((e) => ({ entity: e.entity, files: e.files, rowsRead: e.rowsRead, rowsMapped: e.rowsMapped })),
      });
      summaries.push({ system: m.system, files: (filesBySystem.get(m.system) ?? []).map(display), entities: m.entities, rowsRead, rowsMapped, rowsQuarantined, triples: written.triples });
    }
    let carriedTriples = 0;
    for (const s of carried) {
      for (const f of previous!.files.filter((f) => f.system === s.system)) {
        const quads = carriedFiles.get(f.name)!;
        // Unchanged files are carried as they are (hard links); one that lost superseded totals is rewritten.
        if (quads.length === f.triples && !renamedFiles.has(f.name)) writer.carry(previous!.id, f);
        else writer.write(f.name, 'source', quads, s.system);
        carriedTriples += quads.length;
      }
      sources.push(s);
    }
    const manifest = writer.commit({ createdAt: now, ontology: ontologyVersions(tbox), ...(years ? { years } : {}), sources });
    writer = undefined;

    const report = writeQuarantineReport(dataDir, manifest.id, problems, findings);
    const dataTriples = summaries.reduce((n, s) => n + s.triples, 0) + carriedTriples + orgFile.triples;
    const summary: ImportSummary = {
      generation: manifest.id,
      ...(previous ? { previous: previous.id } : {}),
      systems: summaries,
      carried: carried.map((s) => s.system),
      unclaimed: unclaimed.map(display),
      rowsRead: summaries.reduce((n, s) => n + s.rowsRead, 0),
      rowsMapped: summaries.reduce((n, s) => n + s.rowsMapped, 0),
      rowsQuarantined: problems.length,
      supersededWorkedTotals: superseded.size,
      quarantineByReason: countBy(problems, (p) => p.code),
      shacl: {
        violations: findings.filter((f) => f.severity === 'violation').length,
        warnings: findings.filter((f) => f.severity !== 'violation').length,
        byMessage: countBy(findings, (f) => `${f.severity}: ${f.message}`),
      },
      triples: { total: dataTriples + tboxFile.triples + refFile.triples + calFile.triples, data: dataTriples, tbox: tboxFile.triples, reference: refFile.triples, calendar: calFile.triples },
      ...(years ? { years } : {}),
      reportDir: report.dir,
      durationMs: Date.now() - started,
    };
    recordActivity(dataDir, {
      actor: options.actor ?? 'cli',
      activity: 'import',
      generation: summary.generation,
      previous: summary.previous,
      systems: summaries.map((s) => ({ system: s.system, files: s.files, rowsRead: s.rowsRead, rowsMapped: s.rowsMapped, rowsQuarantined: s.rowsQuarantined, triples: s.triples })),
      carried: summary.carried,
      quarantineByReason: summary.quarantineByReason,
      shacl: { violations: summary.shacl.violations, warnings: summary.shacl.warnings },
      triples: summary.triples.total,
      durationMs: summary.durationMs,
    });
    pruneGenerations(dataDir, config.import.keepGenerations);
    return summary;
  } catch (error) {
    writer?.abort();
    recordActivity(dataDir, { actor: options.actor ?? 'cli', activity: 'import-failed', error: (error as Error).message, code: (error as { code?: string }).code });
    throw error;
  } finally {
    release();
  }
}


