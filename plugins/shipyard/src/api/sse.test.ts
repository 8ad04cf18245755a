import { SseMessage, SseParser } from './sse';

describe('SseParser', () => {
  it('parses events split across chunks, with comments, ids, multi-line data and CRLF', () => {
    const messages: SseMessage[] = [];
    const retries: number[] = [];
    const parser = new SseParser({
      onMessage: m => messages.push(m),
      onRetry: ms => retries.push(ms),
    });
    const stream =
      'retry: 3000\nevent: hello\ndata: {"revision":1}\n\n: heartbeat\n\nid: 2\r\nevent: change\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\n';
    for (let i = 0; i < stream.length; i += 7)
      parser.push(stream.slice(i, i + 7));
    expect(retries).toEqual([3000]);
    expect(messages).toEqual([
      { event: 'hello', data: '{"revision":1}', id: undefined },
      { event: 'change', data: '{"a":\n1}', id: '2' },
      { event: 'message', data: 'plain', id: '2' },
    ]);
    expect(parser.lastId).toBe('2');
  });

  it('does not dispatch an event without data', () => {
    const onMessage = jest.fn();
    const parser = new SseParser({ onMessage });
    parser.push('event: change\n\n');
    expect(onMessage).not.toHaveBeenCalled();
  });
});
