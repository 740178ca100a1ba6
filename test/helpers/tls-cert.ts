// A self-signed certificate for 127.0.0.1, made with openssl in `dir`, or why openssl could not make one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export function selfSignedCert(dir: string): { key: string; cert: string } | { skip: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.error || made.status !== 0) return { skip: `openssl cannot make a certificate here: ${made.error?.message ?? made.stderr.trim()}` };
  return { key, cert };
}
