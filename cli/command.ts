import { parseArgs } from 'node:util';
import { UsageError } from '../errors';

/** One option of a command: how it parses, and the line `--help` prints for it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** What the option does, in a few words. */
  readonly help: string;
  /** The value's placeholder in help (`NAME`, `k=v`); strings only. */
  readonly value?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Parsed<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** A command of the `artifacts` table: everything `--help` shows comes from here, so no command goes without it. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpecs;
  /** Sentences printed after the options (what the positionals mean, defaults). */
  readonly details?: string;
  run(argv: string[]): Promise<number>;
}

interface CommandSpec<T extends OptionSpecs> extends Omit<Command, 'run' | 'options'> {
  readonly options: T;
  run(args: Parsed<T>): Promise<number>;
}

/** `--json` as every listing command spells it. */
export const JSON_OPTION = { type: 'boolean', help: 'print the result as JSON' } as const;

/** Builds a command from its spec: answers `--help` (before any `--`), else parses and runs. */
export function command<const T extends OptionSpecs>(spec: CommandSpec<T>): Command {
  return {
    summary: spec.summary,
    usage: spec.usage,
    options: spec.options,
    ...(spec.details ? { details: spec.details } : {}),
    run: async (argv) => {
      if (wantsHelp(argv)) {
        console.log(helpText(spec));
        return 0;
      }
      return spec.run(parseOptions(argv, spec.options, spec.usage));
    },
  };
}

/** Parses a command's arguments, turning parser complaints into one-sentence usage errors. */
export function parseOptions<const T extends OptionSpecs>(argv: string[], options: T, usage: string): Parsed<T> {
  const config = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]));
  try {
    return parseArgs({ args: argv, options: config, allowPositionals: true, strict: true }) as Parsed<T>;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\.$/, '')}. Usage: ${usage}`);
  }
}

/** The text `artifacts COMMAND --help` prints: usage, what it does, each option. */
export function helpText(c: Pick<Command, 'summary' | 'usage' | 'options' | 'details'>): string {
  const rows = Object.entries(c.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? '...' : ''}`;
    return [flag, o.help] as const;
  });
  // Taken by main.ts before the command runs (see takeProject), so every command has it.
  rows.push(['--project P', 'the project to work in (default ARTIFACTS_PROJECT, else "default")'], ['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [`Usage: ${c.usage}`, '', c.summary, ...(c.details ? ['', c.details] : []), '', 'Options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`)].join('\n');
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
