export { readCsv, readJson, readXml, detectDelimiter, detectEncoding, SourceFileError, MAX_FIELD_BYTES } from './readers.js';
export type { SourceRow, CsvOptions, Encoding } from './readers.js';
export { parseDate, parseDecimal, parseBoolean, dateFormatProblem } from './values.js';
export type { DecimalMode, ParsedDate } from './values.js';
export { readRdf, isRdfFile, RdfSyntaxError } from './rdf.js';
