// `datastation demo` end to end (what `npm run demo` runs after importing the example): it prints
// the console's address, holds the second requester's question, and approves it through a named
// operator's session (cookie + x-csrf-token), as the console does, not with the machine token.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { auditPath } from '../../src/audit/index.js';
import { runDemo } from '../../src/cli/demo.js';
import { runImport } from '../../src/importer/index.js';
import { EXAMPLE_DIR, testConfig } from '../helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('the demo', () => {
  it('prints the console address, and the waiting answer is approved by the demo operator\'s session', async () => {
    const config = testConfig();
    await runImport(config, { inputs: [EXAMPLE_DIR] });
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    await runDemo(config);
    // a second run reuses the account with a new password and still signs in
    await runDemo(config);
    const out = lines.join('\n');

    const admin = /admin API on (http:\/\/127\.0\.0\.1:\d+)\)/.exec(out)?.[1];
    expect(admin).toBeDefined();
    expect(out).toContain(`The console: ${admin}/console/`);
    expect(out).toMatch(/HTTP 202 Accepted; waiting for release as \S+\./);
    expect(out).toMatch(/Approved by account:demo-operator \(POST \/admin\/releases\/\S+\/approve with the session cookie and x-csrf-token\)/);
    expect(out).toContain("Delivered to the requester's reply_url");
    expect(out).toMatch(/released\s+account:demo-operator/);
    expect(out).toMatch(/datastation audit verify: intact/);
    expect(new AccountStore(config.dataDir).get('demo-operator')).toMatchObject({ role: 'operator' });

    // the audit log has the session sign-in and the decision by the account, and no token-holder decision
    const audit = readFileSync(auditPath(config.dataDir), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { activity: string; actor: string });
    const released = audit.filter((e) => e.activity === 'released');
    expect(released).toHaveLength(2);
    expect(released.every((e) => e.actor === 'account:demo-operator')).toBe(true);
    expect(audit.some((e) => e.actor.startsWith('admin-api:token-holder'))).toBe(false);
  }, 240_000);
});
