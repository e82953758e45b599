// Signed audit checkpoints: the head signed with the organisation's key; a log cut after a
// checkpoint, or rewritten with a fresh and internally consistent chain, still verifies as a chain
// but fails against the checkpoints, with a clear message (library, CLI and GET /admin/audit/verify).
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditPath, checkAgainstCheckpoints, checkpointsPath, readCheckpoints, recordActivity, verifyAuditLog, writeCheckpoint } from '../src/audit/index.js';
import { packageRoot, type Config } from '../src/config/index.js';
import { adminToken, startDatastation } from '../src/api/index.js';
import { checkpointKeys, checkpointSigner, initIdentity } from '../src/trust/index.js';
import { tempDir, testConfig } from './helpers.js';

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

async function world(entries: number): Promise<Config> {
  const config = testConfig();
  await initIdentity(config, {});
  for (let i = 0; i < entries; i++) recordActivity(config.dataDir, { actor: 'test', activity: 'step', thread_id: `t-${i}` });
  return config;
}

async function check(config: Config, file = checkpointsPath(config.dataDir)) {
  const checkpoints = readCheckpoints(file);
  const log = await verifyAuditLog(auditPath(config.dataDir), new Set(checkpoints.map((c) => c.seq)));
  return { log, report: await checkAgainstCheckpoints(log, checkpoints, checkpointKeys(config)) };
}

/** Keep the first `n` lines of the log: the chain of what is left is still consistent. */
function cutTo(config: Config, n: number): void {
  const path = auditPath(config.dataDir);
  AuditLog.for(config.dataDir).close(); // this process's writer would (rightly) refuse the cut file
  writeFileSync(path, readFileSync(path, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
}

function cli(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((done) =>
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: packageRoot(), env: { ...process.env, DATASTATION_CONFIG: '', DATASTATION_KEY_SECRET: '' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
    ),
  );
}

describe('signed audit checkpoints', () => {
  it('a checkpoint is a JWT of our DID over seq, hash, count and time; the log agrees with it', async () => {
    const config = await world(10);
    const signer = await checkpointSigner(config, {});
    const checkpoint = (await writeCheckpoint(config.dataDir, signer))!;
    expect(checkpoint).toMatchObject({ seq: 10, entries: 10 });
    const payload = decodeJwt(checkpoint.jwt) as { iss: string; vc: { credentialSubject: Record<string, unknown> } };
    expect(payload.iss).toBe(checkpointKeys(config).did);
    expect(payload.vc.credentialSubject).toMatchObject({ seq: 10, entries: 10, hash: checkpoint.hash });
    expect(await writeCheckpoint(config.dataDir, signer)).toBeUndefined(); // nothing new
    recordActivity(config.dataDir, { actor: 'test', activity: 'step' });
    expect(await writeCheckpoint(config.dataDir, signer)).toMatchObject({ seq: 11 });
    expect((await check(config)).report).toEqual({ ok: true, checked: 2 });
  });

  it('truncated after a checkpoint: the chain is consistent, the checkpoint says what is missing', async () => {
    const config = await world(10);
    await writeCheckpoint(config.dataDir, await checkpointSigner(config, {}));
    for (let i = 0; i < 5; i++) recordActivity(config.dataDir, { actor: 'test', activity: 'later' });
    cutTo(config, 7);
    const { log, report } = await check(config);
    expect(log).toMatchObject({ ok: true, entries: 7 }); // the chain alone cannot tell
    expect(report.ok).toBe(false);
    expect(report.problem).toMatch(/^the log is TRUNCATED: the checkpoint signed at \S+ covers 10 entries, the log holds only 7$/);
  });

  it('rewritten with a fresh consistent chain of the same length: REWRITTEN; a forged or altered checkpoint does not verify', async () => {
    const config = await world(10);
    await writeCheckpoint(config.dataDir, await checkpointSigner(config, {}));
    const other = testConfig();
    for (let i = 0; i < 12; i++) recordActivity(other.dataDir, { actor: 'test', activity: 'step', thread_id: `forged-${i}` });
    AuditLog.for(config.dataDir).close();
    copyFileSync(auditPath(other.dataDir), auditPath(config.dataDir));
    const { log, report } = await check(config);
    expect(log.ok).toBe(true);
    expect(report.problem).toMatch(/^the log was REWRITTEN: entry 10 is not the one the checkpoint signed at \S+ covers$/);

    // A checkpoint signed by another organisation's key, and one whose signature was altered.
    const stranger = testConfig();
    await initIdentity(stranger, {});
    // same DID and kid (the default domain), another key
    const forged = (await writeCheckpoint(other.dataDir, await checkpointSigner(stranger, {})))!;
    const altered = readCheckpoints(checkpointsPath(config.dataDir))[0]!;
    const file = join(tempDir(), 'cps.jsonl');
    for (const [cp, expected] of [
      [{ ...altered, jwt: altered.jwt.slice(0, -4) + (altered.jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA') }, /signature does not verify/],
      [forged, /signature does not verify/],
    ] as const) {
      writeFileSync(file, JSON.stringify(cp) + '\n');
      expect((await check(config, file)).report.problem).toMatch(expected);
    }
  });

  it('CLI: `audit checkpoint`, then a cut log: `audit verify` exits 2 naming the truncation, also from an auditor\'s copy', async () => {
    const config = await world(6);
    const data = ['--data-dir', config.dataDir];
    const signed = await cli([...data, 'audit', 'checkpoint']);
    expect(signed.status, signed.out).toBe(0);
    expect(signed.out).toMatch(/^signed checkpoint: 6 entries, head 6 [0-9a-f]{64}/);
    const intact = await cli([...data, 'audit', 'verify']);
    expect(intact).toMatchObject({ status: 0, out: expect.stringMatching(/audit log intact: 6 entries.*1 signed checkpoint\(s\) agree/) as unknown });
    const copy = join(tempDir(), 'auditor-copy.jsonl');
    copyFileSync(checkpointsPath(config.dataDir), copy);
    cutTo(config, 4);
    rmSync(checkpointsPath(config.dataDir)); // whoever cut the log removed our copy too
    const local = await cli([...data, 'audit', 'verify']);
    expect(local.status).toBe(0); // without checkpoints the cut is invisible: why an auditor keeps a copy
    const audited = await cli([...data, 'audit', 'verify', '--checkpoints', copy]);
    expect(audited.status).toBe(2);
    expect(audited.out).toMatch(/^audit log chain intact \(4 entries\), but the log is TRUNCATED: the checkpoint signed at \S+ covers 6 entries, the log holds only 4\n$/);
  }, 120_000);

  it('the running server signs a checkpoint when it stops', async () => {
    const config = await world(3);
    const ds = await startDatastation({ ...config, audit: { checkpointEvery: 1000 } }, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 60 });
    await ds.close();
    expect(readCheckpoints(checkpointsPath(config.dataDir)).at(-1)).toMatchObject({ seq: 3 });
  }, 60_000);

  it('GET /admin/audit/verify checks the signed checkpoints too: a tampered checkpoint, a log cut below one', async () => {
    const config = await world(20);
    await writeCheckpoint(config.dataDir, await checkpointSigner(config, {}));
    const start = async () => {
      const ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
      const base = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
      const verify = async () => {
        const response = await fetch(`${base}/admin/audit/verify`, { headers: { authorization: `Bearer ${adminToken(config)}` } });
        expect(response.status).toBe(200);
        return (await response.json()) as { ok: boolean; entries: number; problem?: unknown; checkpoints?: { ok: boolean; checked: number; problem?: string } };
      };
      return { ds, verify };
    };
    let server = await start();
    try {
      expect(await server.verify()).toMatchObject({ ok: true, checkpoints: { ok: true, checked: 1 } });

      // the checkpoints file is read on every request: an altered signature is reported at once
      const file = checkpointsPath(config.dataDir);
      const original = readFileSync(file, 'utf8');
      const cp = JSON.parse(original) as { jwt: string };
      writeFileSync(file, JSON.stringify({ ...cp, jwt: cp.jwt.slice(0, -4) + (cp.jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA') }) + '\n');
      const tampered = await server.verify();
      expect(tampered.ok).toBe(false);
      expect(tampered.problem).toBeUndefined(); // the chain itself is intact
      expect(tampered.checkpoints).toMatchObject({ ok: false, checked: 0, problem: expect.stringMatching(/^checkpoint 1 \(\S+\): its signature does not verify/) as unknown });
      writeFileSync(file, original);
      expect((await server.verify()).ok).toBe(true);
    } finally {
      await server.ds.close();
    }

    // Cut below the signed head while the server is down: after the restart the chain is
    // consistent again (the server appends to it), only the checkpoint shows what is missing.
    cutTo(config, 5);
    server = await start();
    try {
      const cut = await server.verify();
      expect(cut.ok).toBe(false);
      expect(cut.entries).toBeLessThan(20);
      expect(cut.checkpoints).toMatchObject({ ok: false, problem: expect.stringMatching(/^the log is TRUNCATED: the checkpoint signed at \S+ covers 20 entries, the log holds only \d+$/) as unknown });
    } finally {
      await server.ds.close();
    }
  }, 120_000);
});
