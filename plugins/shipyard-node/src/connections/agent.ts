import http from 'node:http';
import https from 'node:https';
import { ManagementClusterConnection } from '../extensions';

function pem(base64: string | undefined): string | undefined {
  return base64 ? Buffer.from(base64, 'base64').toString('utf8') : undefined;
}

/**
 * A keep-alive HTTP(S) agent for a management cluster connection: its CA, client certificate and TLS verification
 * setting (HTTPS), or a plain agent for `http:` URLs.
 */
export function createConnectionAgent(
  connection: ManagementClusterConnection,
  options: { maxSockets: number },
): http.Agent {
  if (!connection.url.startsWith('https:')) {
    return new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }
  return new https.Agent({
    keepAlive: true,
    maxSockets: options.maxSockets,
    ca: pem(connection.caData),
    cert: pem(connection.clientCertData),
    key: pem(connection.clientKeyData),
    rejectUnauthorized: !connection.skipTLSVerify,
  });
}
