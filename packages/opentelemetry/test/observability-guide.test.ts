// The observability guide's app, taken from docs/observability.md itself: started with an
// OpenTelemetry SDK preloaded (as an app preloads its own) and OTEL_TRACES=1, driven over HTTP, then its /metrics scraped and its spans read.
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSnippet, SOURCE_NODE_OPTIONS, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';

const GUIDE = 'docs/observability.md';
const PRINT_SPANS = pathToFileURL(join(import.meta.dirname, 'fixtures', 'print-spans.ts')).href;

interface PrintedSpan {
  name: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

describe("docs/observability.md: the guide's app", () => {
  let app: DocApp;
  let server: RunningDocApp;

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'observability-guide/server.ts') });
    server = await startDocApp(app, 'server.ts', {
      PORT: '0',
      SESSION_SECRET: 'observability-guide-secret-5b9d3f7a1c6e2b8d4f0a',
      SESSIONS_DB: join(app.dir, 'sessions.db'),
      OTEL_TRACES: '1',
      NODE_OPTIONS: `${SOURCE_NODE_OPTIONS} --import ${PRINT_SPANS}`,
    });
  });

  after(async () => {
    await server?.stop();
    app?.remove();
  });

  it('counts a login, a logout and a CSRF refusal on /metrics, and prints their spans with the public id only', async () => {
    const login = await fetch(`${server.url}/login`, { method: 'POST' });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const ticket = cookie.split('=')[1] as string;
    const id = ticket.split('.')[0] as string;
    assert.equal(id.length, 24);
    const refused = await fetch(`${server.url}/logout`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    assert.equal((await fetch(`${server.url}/logout`, { method: 'POST', headers: { cookie } })).status, 200);

    const scrape = await fetch(`${server.url}/metrics`);
    assert.match(String(scrape.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    for (const line of [
      'coatcheck_sessions_created_total 1',
      'coatcheck_sessions_upgraded_total 1',
      'coatcheck_sessions_destroyed_total{reason="logout"} 1',
      'coatcheck_csrf_refusals_total{reason="origin"} 1',
      'coatcheck_store_call_duration_seconds_count{operation="create",outcome="ok"} 1',
      'coatcheck_store_call_duration_seconds_count{operation="delete",outcome="ok"} 1',
    ]) {
      assert.ok(text.split('\n').includes(line), `/metrics has ${line}`);
    }

    const spans: PrintedSpan[] = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('span '))
      .map((line) => JSON.parse(line.slice(5)));
    const commit = spans.find((span) => span.name === 'coatcheck.session.commit');
    assert.deepEqual(commit?.attributes, {
      'coatcheck.store.operation': 'create',
      'coatcheck.store.outcome': 'ok',
      'coatcheck.store.name': 'sqlite',
      'session.id': id,
    });
    const revoke = spans.find((span) => span.name === 'coatcheck.session.revoke');
    assert.equal(revoke?.attributes['session.id'], id);
    // The preloaded SDK traces each HTTP request: the lifecycle events are events of its span.
    const marks = spans.flatMap((span) => span.events).filter((event) => event.name.startsWith('coatcheck.'));
    assert.deepEqual(
      marks.map((event) => event.name),
      ['coatcheck.session.created', 'coatcheck.session.upgraded', 'coatcheck.csrf.refused', 'coatcheck.session.destroyed'],
    );
    assert.equal(marks[2]?.attributes['coatcheck.reason'], 'origin');
    assert.ok(!server.output().includes(ticket.split('.')[1] as string), 'the ticket secret is in no span');
  });
});
