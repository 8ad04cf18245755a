import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the stand-in backend received. */
export interface RecordedCall {
  path: string;
  body: any;
  auth?: string;
}

/**
 * A stand-in for `/api/shipyard` on a random port, for the tests of the actions that call the backend: records every
 * POST to `routes` (its path, body and authorization) and answers as `answer` says. `client` is what the actions'
 * backend clients take (discovery of this server, the initiator's tokens).
 */
export async function startRecordingBackend(
  routes: Array<string | RegExp>,
  answer: (req: express.Request) => [number, any],
) {
  const calls: RecordedCall[] = [];
  const app = express();
  app.use(express.json());
  app.post(routes, (req, res) => {
    calls.push({
      path: req.path,
      body: req.body,
      auth: req.headers.authorization,
    });
    const [status, body] = answer(req);
    res.status(status).json(body);
  });
  const server = http.createServer(app);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = async (id: string) => `http://127.0.0.1:${port}/api/${id}`;
  return {
    calls,
    client: {
      discovery: { getBaseUrl: baseUrl, getExternalBaseUrl: baseUrl },
      auth: mockServices.auth(),
    },
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}
