// Rows → quads for one mapping. The mapping is compiled once; each row is typed column by
// column, checked, and turned into quads. A row that fails any step becomes a Problem instead.
import type { Literal, NamedNode, Quad } from '@rdfjs/types';
import { parseBoolean, parseDate, parseDecimal, type DecimalMode, type SourceRow } from '../ingest/index.js';
import { expandCurie, literal, namedNode, NS, quad, typed } from '../rdf/index.js';
import type { ColumnSpec, Mapping } from './spec.js';

export interface MappingContext {
  iriBase: string;
  dateFormats: readonly string[];
  decimal: DecimalMode;
}

export interface Problem {
  code: string;
  column?: string;
  value?: string;
  reason: string;
}

/** A column's typed value: the literal for the data, or the IRIs a code looked up to. */
type Value = { literal: Literal; text: string } | { iris: NamedNode[]; text: string };

export interface MappedRow {
  key: string;
  values: Map<string, Value>;
  quads: Quad[];
  /** Subjects this row typed (rdf:type), for tracing graph-level findings back to the row. */
  typedSubjects: string[];
}

const RDF_TYPE_IRI = NS.rdf + 'type';
/** Joins the key columns of a row; cannot occur in exported text. */
export const KEY_SEPARATOR = '\u0000';
const POSTCODE = /^([1-9][0-9]{3})\s?([A-Za-z]{2})$/;

function headerOf(name: string, spec: ColumnSpec): string[] {
  if (!spec.source) return [name];
  return Array.isArray(spec.source) ? spec.source : [spec.source];
}

export class RowMapper {
  readonly mapping: Mapping;
  private readonly ctx: MappingContext;
  private readonly lookups = new Map<string, Map<string, NamedNode[]>>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly subjects: [string, (v: Map<string, Value>) => NamedNode | undefined][];
  private readonly triples: ((v: Map<string, Value>, s: Map<string, NamedNode>) => Quad[])[];

  constructor(mapping: Mapping, ctx: MappingContext) {
    this.mapping = mapping;
    this.ctx = ctx;
    for (const [name, table] of Object.entries(mapping.lookups)) {
      const entries = Object.entries(table).map(([code, out]) => [code.trim().toLowerCase(), (Array.isArray(out) ? out : [out]).map((c) => namedNode(expandCurie(c)))] as const);
      this.lookups.set(name, new Map(entries));
    }
    for (const [name, spec] of Object.entries(mapping.columns)) if (spec.pattern) this.patterns.set(name, new RegExp(spec.pattern));
    this.subjects = Object.entries(mapping.subjects).map(([name, template]) => [name, this.compileTemplate(template)]);
    this.triples = mapping.triples.map((t) => this.compileTriple(Array.isArray(t) ? { s: t[0], p: t[1], o: t[2] } : t));
  }

  /** IRI templates: `overeenkomst/{Id}` is relative to the organisation's base; `onz-fin:{Code}` uses a prefix. */
  private compileTemplate(template: string): (v: Map<string, Value>) => NamedNode | undefined {
    const prefixed = /^[a-z][a-z0-9-]*:/.exec(template);
    const base = prefixed ? expandCurie(prefixed[0]) : this.ctx.iriBase;
    const rest = prefixed ? template.slice(prefixed[0].length) : template;
    const parts = rest.split(/(\{[^}]+\})/).filter((p) => p !== '');
    return (values) => {
      let out = base;
      for (const part of parts) {
        if (part.startsWith('{')) {
          // `{Col?}` is an optional part: empty when the column is.
          const optional = part.endsWith('?}');
          const v = values.get(part.slice(1, optional ? -2 : -1));
          if (!v || v.text === '') {
            if (optional) continue;
            return undefined;
          }
          out += encodeURIComponent(v.text);
        } else out += part;
      }
      return namedNode(out);
    };
  }

  private compileTriple(t: { s: string; p: string; o: string | { literal: string | number | boolean; datatype?: string | undefined }; when?: string | undefined }) {
    const subjectNames = new Set(Object.keys(this.mapping.subjects));
    if (!subjectNames.has(t.s)) throw new Error(`${this.mapping.system}/${this.mapping.entity}: triple subject "${t.s}" is not a declared subject`);
    const predicate = namedNode(expandCurie(t.p));
    const when = t.when;
    if (when && !this.mapping.columns[when]) throw new Error(`${this.mapping.system}/${this.mapping.entity}: "when" names unknown column ${when}`);
    let object: (v: Map<string, Value>, s: Map<string, NamedNode>) => (NamedNode | Literal)[];
    const o = t.o;
    if (typeof o === 'object') {
      const term = literal(String(o.literal), namedNode(expandCurie(o.datatype ?? (typeof o.literal === 'number' ? 'xsd:decimal' : typeof o.literal === 'boolean' ? 'xsd:boolean' : 'xsd:string'))));
      object = () => [term];
    } else if (o.startsWith('$')) {
      const col = o.slice(1);
      if (!this.mapping.columns[col]) throw new Error(`${this.mapping.system}/${this.mapping.entity}: object names unknown column ${col}`);
      object = (v) => {
        const value = v.get(col);
        if (!value) return [];
        return 'iris' in value ? value.iris : [value.literal];
      };
    } else if (subjectNames.has(o)) {
      object = (_v, s) => {
        const node = s.get(o);
        return node ? [node] : [];
      };
    } else {
      const node = namedNode(expandCurie(o));
      object = () => [node];
    }
    return (v: Map<string, Value>, s: Map<string, NamedNode>): Quad[] => {
      if (when) {
        const w = v.get(when);
        if (!w || w.text === '' || w.text === 'false') return [];
      }
      const subject = s.get(t.s);
      if (!subject) return [];
      return object(v, s).map((obj) => quad(subject, predicate, obj));
    };
  }

  private typeValue(name: string, spec: ColumnSpec, raw: string): Value | Problem {
    const bad = (reason: string, code = 'invalid_value'): Problem => ({ code, column: name, value: raw, reason });
    switch (spec.type) {
      case 'string': {
        const re = this.patterns.get(name);
        if (re && !re.test(raw)) return bad(`does not match ${spec.pattern}`);
        return { literal: typed(raw, 'string'), text: raw };
      }
      case 'integer': {
        if (!/^[+-]?\d+$/.test(raw)) return bad('not an integer');
        const n = Number(raw);
        if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return bad(`outside ${spec.min ?? '-∞'}..${spec.max ?? '∞'}`, 'out_of_range');
        return { literal: typed(String(n), 'integer'), text: String(n) };
      }
      case 'decimal': {
        let d = parseDecimal(raw, this.ctx.decimal);
        if (d === undefined) return bad('not a decimal number');
        const n = Number(d);
        if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return bad(`outside ${spec.min ?? '-∞'}..${spec.max ?? '∞'}`, 'out_of_range');
        if (spec.fn === 'hundredMinus') d = parseDecimal(String(Math.round((100 - n) * 1e6) / 1e6), 'dot')!;
        return { literal: typed(d, 'decimal'), text: d };
      }
      case 'date': {
        const parsed = parseDate(raw, spec.dateFormats ? [...spec.dateFormats, ...this.ctx.dateFormats] : this.ctx.dateFormats);
        if (!parsed) return bad('not a recognised date', 'invalid_date');
        return { literal: typed(parsed.date, 'date'), text: parsed.date };
      }
      case 'dateTime': {
        const parsed = parseDate(raw, spec.dateFormats ? [...spec.dateFormats, ...this.ctx.dateFormats] : this.ctx.dateFormats);
        if (!parsed) return bad('not a recognised date/time', 'invalid_date');
        const text = `${parsed.date}T${parsed.time ?? '00:00:00'}`;
        return { literal: typed(text, 'dateTime'), text };
      }
      case 'boolean': {
        const b = parseBoolean(raw);
        if (b === undefined) return bad('not a yes/no value');
        return { literal: typed(String(b), 'boolean'), text: String(b) };
      }
      case 'postcode': {
        const m = POSTCODE.exec(raw.trim());
        if (!m) return bad('not a Dutch postcode (1234AB)');
        const text = `${m[1]}${m[2]!.toUpperCase()}`;
        return { literal: typed(text, 'string'), text };
      }
      case 'code': {
        const iris = this.lookups.get(spec.lookup!)!.get(raw.trim().toLowerCase());
        if (!iris) return bad(`unknown code for ${spec.lookup}`, 'unknown_code');
        return { iris, text: raw.trim() };
      }
    }
  }

  /** Type, check and map one row. */
  map(row: SourceRow): MappedRow | Problem {
    if (row.problem) return row.problem;
    const values = new Map<string, Value>();
    for (const [name, spec] of Object.entries(this.mapping.columns)) {
      let raw: string | undefined;
      for (const header of headerOf(name, spec)) {
        const v = row.values[header];
        if (v !== undefined) {
          raw = v.trim();
          break;
        }
      }
      if (raw === undefined || raw === '') {
        if (spec.required) {
          const reason = raw === undefined ? `column ${headerOf(name, spec).join('/')} is missing from the file` : 'required value is empty';
          return { code: raw === undefined ? 'missing_column' : 'missing_value', column: name, reason };
        }
        continue;
      }
      const value = this.typeValue(name, spec, raw);
      if ('code' in value) return value;
      values.set(name, value);
    }
    for (const check of this.mapping.checks) {
      const [startCol, endCol] = check.endNotBefore;
      const start = values.get(startCol)?.text, end = values.get(endCol)?.text;
      if (start && end && end < start) return { code: 'end_before_start', column: endCol, value: end, reason: `${endCol} ${end} is before ${startCol} ${start}` };
    }
    const subjects = new Map<string, NamedNode>();
    for (const [name, make] of this.subjects) {
      const node = make(values);
      if (node) subjects.set(name, node);
    }
    const quads: Quad[] = [];
    const typedSubjects: string[] = [];
    for (const make of this.triples) {
      for (const q of make(values, subjects)) {
        quads.push(q);
        if (q.predicate.value === RDF_TYPE_IRI) typedSubjects.push(q.subject.value);
      }
    }
    const key = this.mapping.key.map((k) => values.get(k)?.text ?? '').join(KEY_SEPARATOR);
    return { key, values, quads, typedSubjects };
  }
}
