import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runBin } from './__testUtils__/runBin';
import { CommandLineError, readCommandLine } from './commandLine';

const spec = {
  command: 'some-bench',
  usage: 'some-bench [sizes…] [--seconds N] [--workers N] [--quick]',
  options: {
    seconds: 'number',
    workers: 'count',
    sizes: 'counts',
    out: 'text',
    config: 'json',
    quick: 'flag',
  },
} as const;

function problemsOf(argv: string[], positionals?: object) {
  try {
    readCommandLine({ ...spec, positionals }, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CommandLineError);
    return (error as CommandLineError).problems;
  }
  throw new Error(`${argv.join(' ')} was read without a problem`);
}

describe('readCommandLine', () => {
  it('reads options in both forms, sizes and words, each value as its kind', () => {
    expect(
      readCommandLine(
        { ...spec, positionals: { words: ['with', 'without'] } },
        [
          '1000',
          '--seconds',
          '2.5',
          '--workers=2',
          'without',
          '--sizes',
          '100,1000',
          '--out',
          '/tmp/x.json',
          '--config',
          '{"a":1}',
          '10000',
          '--quick',
        ],
      ),
    ).toEqual({
      values: {
        seconds: 2.5,
        workers: 2,
        sizes: [100, 1000],
        out: '/tmp/x.json',
        config: { a: 1 },
        quick: true,
      },
      counts: [1000, 10000],
      words: ['without'],
    });
    expect(readCommandLine(spec, [])).toEqual({
      values: {
        seconds: undefined,
        workers: undefined,
        sizes: undefined,
        out: undefined,
        config: undefined,
        quick: false,
      },
      counts: [],
      words: [],
    });
  });

  it('names every unknown option and missing value at once', () => {
    expect(
      problemsOf([
        '--secnds',
        '3',
        '--list-workers=2',
        '--quick=yes',
        'ten',
        '--out',
      ]),
    ).toEqual([
      'unknown option --secnds',
      'unknown option --list-workers',
      '--out wants a value',
      '--quick takes no value',
      '"ten" is neither an option nor a whole number above 0',
    ]);
  });

  it('reports every bad value at once, with the usage in the message', () => {
    expect(
      problemsOf([
        '--seconds',
        'ten',
        '--workers',
        '0',
        '--sizes',
        '100,x',
        '--config',
        '{a:1}',
        '12x',
      ]),
    ).toEqual([
      '--seconds wants a number of 0 or more, not "ten"',
      '--workers wants a whole number above 0, not "0"',
      '--sizes wants whole numbers above 0 separated by commas, not "100,x"',
      expect.stringMatching(/^--config wants JSON: /),
      '"12x" is neither an option nor a whole number above 0',
    ]);
    expect(() => readCommandLine(spec, ['--seconds', '-1'])).toThrow(
      /Usage: some-bench \[sizes…\]/,
    );
    expect(problemsOf(['--workers=1.5', '--seconds='])).toEqual([
      '--seconds wants a number of 0 or more, not ""',
      '--workers wants a whole number above 0, not "1.5"',
    ]);
  });

  it('holds the numbers and words without an option to what the command takes', () => {
    expect(problemsOf(['1', '2', '3'], { maxCounts: 2 })).toEqual([
      'takes at most 2 numbers without an option, got 1 2 3',
    ]);
    expect(problemsOf(['5'], { maxCounts: 0 })).toEqual([
      'takes no numbers without an option, got 5',
    ]);
    expect(
      problemsOf(['with', 'without', 'maybe'], { words: ['with', 'without'] }),
    ).toEqual([
      '"maybe" is neither an option nor a whole number above 0 nor one of with, without',
      'takes one of with, without, got with without',
    ]);
  });
});

describe('the benchmark commands', () => {
  const commands = readdirSync(path.resolve(__dirname, '..', 'bin'));

  it('each refuse a bad command line with every problem and the usage, before anything starts', async () => {
    expect(commands.length).toBeGreaterThanOrEqual(11);
    const results = await Promise.all(
      commands.map(async name => ({
        name,
        ...(await runBin(name, ['--no-such-option', '--out'])),
      })),
    );
    for (const { name, code, output } of results) {
      expect({ name, code, output }).toEqual({
        name,
        code: 2,
        output: expect.stringMatching(
          new RegExp(
            `^${name}: unknown option --no-such-option\\n(.|\\n)*Usage: ${name}`,
          ),
        ),
      });
    }
  }, 120_000);
});
