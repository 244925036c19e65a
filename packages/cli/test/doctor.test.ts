// `coatcheck doctor` without services: the secret checks, and the app checks against local
// HTTP servers that answer with good and bad headers and cookies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli, runJson } from './helpers/run-cli.js';
import { estimateBits } from '../src/doctor/secret-checks.js';

interface DoctorReport {
  findings: { level: string; check: string; what: string; fix: string | null }[];
}

async function serve(headers: OutgoingHttpHeaders): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const level = (report: DoctorReport, check: string) => report.findings.find((f) => f.check === check)?.level;

describe('coatcheck doctor', () => {
  it('fails a secret the app would refuse and warns about one that does not look random', async () => {
    const short = await runJson<DoctorReport>(['doctor'], { env: { SESSION_SECRET: 'too-short' } });
    assert.equal(short.code, 1);
    assert.equal(level(short.json, 'secret'), 'fail');
    assert.match(short.json.findings[0]!.fix ?? '', /coatcheck secret/);
    const patterned = await runJson<DoctorReport>(['doctor'], { env: { SESSION_SECRET: 'abcdefgh'.repeat(4) } });
    assert.equal(level(patterned.json, 'secret'), 'ok');
    assert.equal(level(patterned.json, 'secret.entropy'), 'warn');
    const many = await runJson<DoctorReport>(['doctor', '--secret-env', 'APP_SECRETS'], {
      env: { APP_SECRETS: Array.from({ length: 5 }, (_, i) => `${i}q3Xv9LpZk2Rw7Tn4Ys8Bm1Hc6Jd0Gf5Ae-Ui_Oo3P`).join(',') },
    });
    assert.equal(many.code, 0);
    assert.equal(level(many.json, 'secret.rotation'), 'warn');
  });

  it('estimates entropy from the characters used', () => {
    assert.equal(estimateBits('aaaa'), 0);
    assert.equal(estimateBits('abcdefgh'.repeat(4)), 96);
  });

  it('checks the app: a cookie without HttpOnly fails, missing headers warn', async () => {
    const url = await serve({ 'set-cookie': 'sid=abc; Path=/' });
    const { code, json } = await runJson<DoctorReport>(['doctor', '--url', url], { env: { SESSION_SECRET: undefined } });
    assert.equal(code, 1);
    assert.equal(level(json, 'http.cookie.httponly'), 'fail');
    assert.equal(level(json, 'http.cookie.prefix'), 'warn');
    assert.equal(level(json, 'http.cookie.samesite'), 'warn');
    assert.equal(level(json, 'http.nosniff'), 'warn');
    assert.equal(level(json, 'http.https'), 'warn', 'plain HTTP on localhost is a warning, not a failure');
  });

  it('passes a well-configured cookie and headers', async () => {
    const url = await serve({
      'set-cookie': ['theme=dark; Path=/', '__Host-sid=abc.def; Path=/; Secure; HttpOnly; SameSite=Lax'],
      'x-content-type-options': 'nosniff',
    });
    const { code, json } = await runJson<DoctorReport>(['doctor', '--url', url], { env: { SESSION_SECRET: undefined } });
    assert.equal(code, 0, JSON.stringify(json.findings));
    for (const check of ['http.cookie.secure', 'http.cookie.httponly', 'http.cookie.prefix', 'http.cookie.samesite', 'http.nosniff'])
      assert.equal(level(json, check), 'ok', check);
  });

  it('exits 3 when the app cannot be reached, and 2 when there is nothing to check', async () => {
    const [down, nothing] = await Promise.all([
      runCli(['doctor', '--url', 'http://127.0.0.1:1/', '--timeout', '2000'], { env: { SESSION_SECRET: undefined } }),
      runCli(['doctor'], { env: { SESSION_SECRET: undefined, COATCHECK_STORE: undefined } }),
    ]);
    assert.equal(down.code, 3);
    assert.match(down.stdout, /could not fetch/);
    assert.equal(nothing.code, 2);
  });
});
