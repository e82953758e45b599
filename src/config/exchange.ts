// The exchange section: how questions are answered and answers leave (release policy, reply
// delivery, audit sizes, small cells, limits on questions at once, DIDComm message types).
import { z } from 'zod';

export const exchangeSchema = z
  .strictObject({
    // Release policy: the first matching rule decides; otherwise `defaultRelease`. KIK-V: the
    // organisation checks each answer and approves it before it leaves, so by hand by default.
    defaultRelease: z.enum(['auto', 'manual']).default('manual'),
    release: z
      .array(
        z.strictObject({
          profile: z.string().optional(),
          indicator: z.string().optional(),
          requester: z.string().optional(),
          mode: z.enum(['auto', 'manual']),
        }),
      )
      .default([]),
    // reply_url must be https; plain http only for loopback tests.
    allowHttpReplyUrl: z.boolean().default(false),
    // reply_url must resolve to public addresses only; loopback allowed for tests and the demo.
    allowLoopbackReplyUrl: z.boolean().default(false),
    deliveryAttempts: z.number().int().min(1).max(20).default(6),
    deliveryBackoffMs: z.number().int().min(10).default(2000),
    deliveryTimeoutMs: z.number().int().min(100).default(10_000),
    // Message content above this size is logged as sha256 + size instead of inline.
    auditMaxContentBytes: z.number().int().min(0).default(64 * 1024),
    // One audit entry's JSON line at most; larger detail fields are logged as sha256 + size.
    auditMaxEntryBytes: z.number().int().min(4096).default(128 * 1024),
    // Small numbers: a counted cell above 0 and below this may point at persons (the common
    // statistical small-cell threshold: counts 1-4 are not published). 0 or 1: no check.
    minGroupSize: z.number().int().min(0).max(1000).default(5),
    // What approval does with such cells: refuse until corrected, remove them from what is sent,
    // or release them with a logged reason. An automatic answer with such cells waits for a person
    // (except under allow-with-reason).
    smallCells: z.enum(['block', 'suppress', 'allow-with-reason']).default('block'),
    // Rows shown to the operator before a manual release.
    previewRows: z.number().int().min(0).default(20),
    ratePerMinute: z.number().int().min(1).default(120),
    // Authenticated questions in the datastation at once: per requester (running or waiting),
    // running in all, waiting in all; beyond, 429 requester_busy / 503 server_busy with Retry-After.
    concurrency: z
      .strictObject({
        perRequester: z.number().int().min(1).default(8),
        running: z.number().int().min(1).default(16),
        queued: z.number().int().min(0).default(64),
        retryAfterSeconds: z.number().int().min(1).max(3600).default(2),
      })
      .prefault({}),
    // How parameter values are put into a data graph for the credential's paramsSHACL (our
    // convention; the KIK-V form is not published): <focus> a <targetClass>; <namespace><name> value.
    paramsShacl: z
      .object({
        namespace: z.string().url().default('https://kik-v.nl/parameters#'),
        targetClass: z.string().url().default('https://kik-v.nl/parameters#Parameters'),
        focus: z.string().url().default('urn:kikv:parameters'),
      })
      .prefault({}),
    // DIDComm v2 plaintext message types. The KIK-V URIs come from implementer code, not from
    // KIK-V text (nuts-interop.md §5.1, §9): configurable, and several request types may be accepted.
    didcomm: z
      .object({
        requestTypes: z.array(z.string().min(1)).min(1).default(['https://www.kik-v.nl/validated-query-request/1.0/request']),
        responseType: z.string().min(1).default('https://www.kik-v.nl/validated-query-request/1.0/response'),
        problemReportType: z.string().min(1).default('https://didcomm.org/report-problem/2.0/problem-report'),
        // Body.vp is Base64 JSON-LD; its decoded size is bounded before parsing.
        maxPresentationBytes: z.number().int().min(1024).default(512 * 1024),
      })
      .prefault({}),
  })
  .prefault({});
