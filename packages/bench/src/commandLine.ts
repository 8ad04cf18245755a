import { parseArgs } from 'node:util';

/**
 * The benchmark commands' command lines, read with Node's own `util.parseArgs` (strict: an option the command does
 * not know is an error) and then checked here, because `parseArgs` takes every value as a string: a count must be a
 * whole number above 0, `counts` a comma-separated list of them, a number a finite one at or above 0, `json` a JSON
 * text. Every problem is reported at once, with the usage, before anything starts.
 */
export type OptionKind =
  | 'flag'
  | 'count'
  | 'counts'
  | 'number'
  | 'text'
  | 'json';

/** The value an option of a kind has once read. */
type ValueOf<K extends OptionKind> = K extends 'flag'
  ? boolean
  : K extends 'text'
  ? string | undefined
  : K extends 'counts'
  ? number[] | undefined
  : K extends 'json'
  ? unknown
  : number | undefined;

export interface CommandLineSpec<O extends Record<string, OptionKind>> {
  /** The command's name, first on each line of an error. */
  command: string;
  /** The usage line(s) printed after the problems. */
  usage: string;
  options: O;
  /**
   * What the words that are not options may be: whole numbers above 0 (`counts`, at most `maxCounts` of them, no
   * limit when not given) and, mixed in anywhere, the `words` listed.
   */
  positionals?: { maxCounts?: number; words?: readonly string[] };
}

export interface CommandLine<O extends Record<string, OptionKind>> {
  values: { [K in keyof O]: ValueOf<O[K]> };
  counts: number[];
  words: string[];
}

/** A command line that cannot be run: `problems` lists everything wrong with it. */
export class CommandLineError extends Error {
  constructor(
    readonly command: string,
    readonly problems: string[],
    readonly usage: string,
  ) {
    super(
      `${problems.map(p => `${command}: ${p}`).join('\n')}\nUsage: ${usage}`,
    );
    this.name = 'CommandLineError';
  }
}

const isCount = (v: string) => /^\d+$/.test(v) && Number(v) > 0;
const isNumber = (v: string) =>
  v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0;

/** Reads `argv` as `spec` says; throws a {@link CommandLineError} with every problem found. */
export function readCommandLine<O extends Record<string, OptionKind>>(
  spec: CommandLineSpec<O>,
  argv: readonly string[],
): CommandLine<O> {
  const problems: string[] = [];
  const known = Object.entries(spec.options);
  // not strict, so that every unknown option and missing value is found here rather than the first one thrown
  const parsed = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: Object.fromEntries(
      known.map(([name, kind]) => [
        name,
        { type: kind === 'flag' ? ('boolean' as const) : ('string' as const) },
      ]),
    ),
  });
  for (const name of Object.keys(parsed.values))
    if (!(name in spec.options)) problems.push(`unknown option --${name}`);

  const values: Record<string, unknown> = {};
  for (const [name, kind] of known) {
    const raw = parsed.values[name];
    if (kind === 'flag') {
      if (raw !== undefined && raw !== true)
        problems.push(`--${name} takes no value`);
      values[name] = raw === true;
    } else if (raw === undefined) {
      values[name] = undefined;
    } else if (typeof raw !== 'string') {
      problems.push(`--${name} wants a value`);
    } else if (kind === 'count' && !isCount(raw)) {
      problems.push(`--${name} wants a whole number above 0, not "${raw}"`);
    } else if (kind === 'number' && !isNumber(raw)) {
      problems.push(`--${name} wants a number of 0 or more, not "${raw}"`);
    } else if (kind === 'counts' && !raw.split(',').every(isCount)) {
      problems.push(
        `--${name} wants whole numbers above 0 separated by commas, not "${raw}"`,
      );
    } else if (kind === 'counts') {
      values[name] = raw.split(',').map(Number);
    } else if (kind === 'json') {
      try {
        values[name] = JSON.parse(raw);
      } catch (error) {
        problems.push(
          `--${name} wants JSON: ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
    } else {
      values[name] = kind === 'text' ? raw : Number(raw);
    }
  }

  const counts: number[] = [];
  const words: string[] = [];
  const allowedWords = spec.positionals?.words ?? [];
  for (const word of parsed.positionals) {
    if (allowedWords.includes(word)) words.push(word);
    else if (isCount(word)) counts.push(Number(word));
    else
      problems.push(
        `"${word}" is neither an option nor a whole number above 0${
          allowedWords.length ? ` nor one of ${allowedWords.join(', ')}` : ''
        }`,
      );
  }
  const max = spec.positionals?.maxCounts ?? Infinity;
  if (counts.length > max)
    problems.push(
      max === 0
        ? `takes no numbers without an option, got ${counts.join(' ')}`
        : `takes at most ${max} number${
            max === 1 ? '' : 's'
          } without an option, got ${counts.join(' ')}`,
    );
  if (words.length > 1)
    problems.push(
      `takes one of ${allowedWords.join(', ')}, got ${words.join(' ')}`,
    );

  if (problems.length)
    throw new CommandLineError(spec.command, problems, spec.usage);
  return { values: values as CommandLine<O>['values'], counts, words };
}

/**
 * Reads the process's command line for a benchmark command; on a bad one, prints every problem and the usage to
 * stderr and exits with code 2 before anything starts.
 */
export function commandLineOrExit<O extends Record<string, OptionKind>>(
  spec: CommandLineSpec<O>,
): CommandLine<O> {
  try {
    return readCommandLine(spec, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return process.exit(2);
  }
}
