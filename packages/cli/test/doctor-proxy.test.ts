// `coatcheck doctor --url https://…` against a real app behind a TLS-terminating proxy: the
// proxy (node:https, a self-signed test certificate) forwards to the app over
// plain HTTP with X-Forwarded-Proto: https. An app that does not trust its proxy thinks every
// request is plain HTTP and sets its cookie without Secure: doctor fails it and names the fix.
// The same app trusting its proxy passes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { runJson } from './helpers/run-cli.js';

interface DoctorReport {
  findings: { level: string; check: string; what: string; fix: string | null }[];
}

/**
 * A self-signed certificate for 127.0.0.1, for this test only (made once with openssl, valid
 * for a century, so the unit set needs no openssl).
 */
function certificate(): { key: Buffer; cert: Buffer } {
  const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
  return { key: fixture('tls-key.pem'), cert: fixture('tls-cert.pem') };
}

/** The app: Fastify with the coatcheck plugin; GET /start writes the session, so it sets the cookie. */
async function startApp(trustProxy: boolean): Promise<number> {
  const app = Fastify({ logger: false });
  const manager = createSessionManager({
    store: memoryStore({ quiet: true }),
    secrets: ['doctor-proxy-test-secret-0123456789abcdef'],
    logger: { warn() {}, error() {} },
  });
  await app.register(coatcheck, { manager, ...(trustProxy ? { trustProxy: ['127.0.0.1'] } : {}) });
  app.get('/start', async (request) => {
    request.session.set('theme', 'dark');
    return { ok: true };
  });
  after(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/** A TLS-terminating proxy in front of `appPort`, as nginx or a load balancer would be. */
async function startProxy(appPort: number, tls: { key: Buffer; cert: Buffer }): Promise<string> {
  const proxy = createHttpsServer(tls, (req, res) => {
    const headers = { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress ?? '' };
    const upstream = httpRequest({ host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  after(() => proxy.close());
  return `https://127.0.0.1:${(proxy.address() as AddressInfo).port}/start`;
}

const finding = (report: DoctorReport, check: string) => report.findings.find((f) => f.check === check);
// The doctor runs as operators run it, in its own process; the test's certificate is its own.
const ENV = { SESSION_SECRET: undefined, NODE_TLS_REJECT_UNAUTHORIZED: '0' };

describe('coatcheck doctor behind a TLS proxy', () => {
  const tls = certificate();

  it('fails an app whose cookie lost Secure because it does not trust its proxy, and says to set trustProxy', async () => {
    const url = await startProxy(await startApp(false), tls);
    const { code, json } = await runJson<DoctorReport>(['doctor', '--url', url], { env: ENV, process: true });
    assert.equal(code, 1, JSON.stringify(json.findings));
    assert.equal(finding(json, 'http.https')?.level, 'ok');
    const secure = finding(json, 'http.cookie.secure');
    assert.equal(secure?.level, 'fail');
    assert.match(secure?.fix ?? '', /trustProxy/);
  });

  it('passes the same app once it trusts the proxy: Secure, __Host-, HttpOnly, SameSite', async () => {
    const url = await startProxy(await startApp(true), tls);
    const { json } = await runJson<DoctorReport>(['doctor', '--url', url], { env: ENV, process: true });
    for (const check of ['http.https', 'http.cookie.secure', 'http.cookie.prefix', 'http.cookie.httponly', 'http.cookie.samesite'])
      assert.equal(finding(json, check)?.level, 'ok', `${check}: ${JSON.stringify(json.findings)}`);
  });
});
