// A self-signed certificate made with openssl for one test run (chromium is told to accept it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate for `hostnames` (the first is the subject), written under `dir`. */
export function localCertificate(dir: string, hostnames: readonly string[] = ['localhost']): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const subject = ['-subj', `/CN=${hostnames[0]}`, '-addext', `subjectAltName=${hostnames.map((name) => `DNS:${name}`).join(',')}`];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', ...subject, '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
