import { originOf, summarizeProfile } from './profileSummary';

describe('the CPU profile summary', () => {
  it('names where a script comes from', () => {
    expect(
      originOf(
        'file:///w/node_modules/express-openapi-validator/dist/a.js',
        'f',
      ),
    ).toBe('express-openapi-validator');
    expect(
      originOf(
        'file:///w/node_modules/a/node_modules/@backstage/errors/dist/x.js',
        'f',
      ),
    ).toBe('@backstage/errors');
    expect(originOf('node:internal/streams/writable', 'f')).toBe(
      'node:internal/streams',
    );
    expect(originOf('node:_http_server', 'f')).toBe('node:_http_server');
    expect(
      originOf('file:///w/plugins/shipyard-backend/src/service/router.ts', 'f'),
    ).toBe('shipyard-backend/service');
    expect(originOf('', '(garbage collector)')).toBe('garbage collection');
    expect(originOf('', 'stringify')).toBe('');
  });

  it('charges built-ins to their nearest caller with a script and leaves idle time out', () => {
    const frame = (
      id: number,
      url: string,
      name: string,
      children: number[],
    ) => ({
      id,
      callFrame: { functionName: name, url, lineNumber: 0 },
      children,
    });
    const summary = summarizeProfile(
      [
        {
          nodes: [
            frame(1, '', '(root)', [2, 4]),
            frame(2, 'file:///w/plugins/shipyard-backend/src/index/a.ts', 'q', [
              3,
            ]),
            frame(3, '', 'stringify', []),
            frame(4, '', '(idle)', []),
          ],
          // the time of a sample is the delta to the next one
          samples: [3, 2, 4, 3],
          timeDeltas: [0, 1000, 2000, 4000],
        },
      ],
      3,
      6,
    );
    expect(summary.busyMs).toBe(3);
    expect(summary.cpuMs).toBe(6);
    expect(summary.byOrigin).toEqual([
      { origin: 'shipyard-backend/index', ms: 3 },
    ]);
  });
});
