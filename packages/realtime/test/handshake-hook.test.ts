// hub.onHandshake: every answered upgrade with its status, code, duration and the public id
// of the session it bound, for metrics and tracing; a throwing listener breaks nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HandshakeReport } from '@coatcheck/realtime';
import { connect, createManager, login, ready, refusal, serve, waitFor } from './helpers.js';

describe('hub.onHandshake', () => {
  it('reports accepted sockets with their session id and refusals with status and code', async () => {
    const manager = createManager();
    // A verifier that accepts nothing: only first-message authentication needs one here.
    const { url, hub } = await serve(manager, { authTimeoutMs: 1000, verifyBearer: async () => null });
    const reports: HandshakeReport[] = [];
    const off = hub.onHandshake((report) => reports.push(report));
    const { cookie, id } = await login(manager, 'alice');
    const client = await ready(url, { cookie });
    await refusal(url, { cookie, origin: 'https://evil.example' });
    await refusal(`${url}?token=x`, { cookie });
    // No credentials, first-message authentication on: accepted, not bound yet.
    const waiting = connect(url, { origin: null });
    await waitFor('the fourth report', () => reports.length === 4);
    assert.deepEqual(
      reports.map(({ status, code, sessionId }) => ({ status, code, sessionId })),
      [
        { status: 101, code: null, sessionId: id },
        { status: 403, code: 'ERR_REALTIME_ORIGIN', sessionId: null },
        { status: 401, code: 'ERR_REALTIME_TOKEN_IN_URL', sessionId: null },
        { status: 101, code: null, sessionId: null },
      ],
    );
    for (const report of reports) assert.ok(Number.isFinite(report.ms) && report.ms >= 0);
    assert.ok(!JSON.stringify(reports).includes(cookie.split('=')[1] as string), 'no cookie value in a report');
    off();
    await refusal(url, { cookie, origin: 'https://evil.example' });
    assert.equal(reports.length, 4, 'removed');
    client.ws.close();
    waiting.ws.close();
  });

  it('a throwing listener is logged once; the handshake and other listeners go on', async () => {
    const manager = createManager();
    const errors: string[] = [];
    const { url, hub } = await serve(manager, { logger: { warn() {}, error: (message: string) => void errors.push(message) } });
    const seen: number[] = [];
    hub.onHandshake(() => {
      throw new Error('metrics down');
    });
    hub.onHandshake((report) => seen.push(report.status));
    const { cookie } = await login(manager, 'bob');
    const first = await ready(url, { cookie });
    const second = await ready(url, { cookie });
    assert.deepEqual(seen, [101, 101]);
    assert.equal(errors.filter((message) => /onHandshake listener threw/.test(message)).length, 1);
    assert.throws(() => hub.onHandshake(null as never), TypeError);
    first.ws.close();
    second.ws.close();
  });
});
