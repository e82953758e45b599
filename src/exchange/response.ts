// The response message: the envelope around the SPARQL JSON results, built as text without
// re-parsing the answers, and the parsed form the audit log keeps when it is small.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { resultset } from '../query/index.js';
import { RESPONSE, type RequestMessage } from './envelope.js';
import { didcommResponseHead } from './didcomm.js';
import type { Table } from './answer-table.js';
import type { Question } from './questions.js';

/** One question's answer as the engine gave it. */
export interface Answered {
  question: Question;
  json: string;
  rows: number;
  ms: number;
  /** From the answer cache (src/query/answer-cache.ts): the engine answered this text on this generation before. */
  cached?: true;
}

/** The response message's text before and after its results (plain JSON: nothing signs the body). */
export function envelopeAround(ownDid: string, message: RequestMessage, config: Config): [string, string] {
  if (message.form === 'didcomm') return [`${JSON.stringify(didcommResponseHead(ownDid, message, config.exchange.didcomm)).slice(0, -1)},"body":{"response":`, '}}'];
  const head = { type: RESPONSE, jti: randomUUID(), from: ownDid, to: message.from, thread_id: message.thread_id, iat: Math.floor(Date.now() / 1000) };
  return [`${JSON.stringify(head).slice(0, -1)},"body":`, '}'];
}

/** The response message around the SPARQL JSON results, without re-parsing them. */
export function responseText(before: string, after: string, answers: Answered[]): string {
  const parts = answers.map((a, i) => (i === 0 ? resultset.open(a.question.id) : resultset.next(a.question.id)) + a.json);
  const results = answers.length ? parts.join('') + resultset.close() : '{"resultset":[]}';
  return before + results + after;
}

export type ParsedAnswer = { head?: { vars?: string[] }; results?: { bindings: Table['rows'] } };

/**
 * What JSON.parse(responseText(…)) gives, from answers parsed already: the envelope parsed with a
 * placeholder where the results go (the same keys in the same order), the results put there.
 */
export function responseObject(before: string, after: string, answers: Answered[], parsed: (() => ParsedAnswer)[]): unknown {
  const results = { resultset: answers.map((a, i) => ({ id: a.question.id, result: parsed[i]!() })) };
  const message = JSON.parse(`${before}null${after}`) as { body: unknown };
  if (message.body === null) message.body = results;
  else (message.body as { response: unknown }).response = results; // DIDComm: body.response
  return message;
}

export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The first rows of an answer, for the release queue. */
export function preview(json: string, rows: number): unknown {
  const parsed = JSON.parse(json) as { head?: unknown; results?: { bindings: unknown[] }; boolean?: boolean };
  if (!parsed.results) return parsed;
  return { head: parsed.head, results: { bindings: parsed.results.bindings.slice(0, rows) }, total: parsed.results.bindings.length };
}
