#!/usr/bin/env node
/** The `artifacts` command: thin wiring from arguments to the API, store and runtime. */
import { COMMANDS } from './commands';
import { describeSystemError } from './system-errors';
import { ArtifactsError, UsageError } from '../errors';

/** The overview `artifacts help` prints, from the command table so a new command shows up by itself. */
function overview(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return ['artifacts: versioned ML artifacts, run durably on Temporal', '',
    ...names.map((n) => `  artifacts ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`), '',
    'Run `artifacts COMMAND --help` for a command\'s usage and options.',
    'Every command takes --project P (default ARTIFACTS_PROJECT, else "default"); REF may name another project: P/name:v3.',
    'Settings: ARTIFACTS_HOME (data folder), ARTIFACTS_PROJECT, TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (use an existing cluster).'].join('\n');
}

/**
 * `--project P` anywhere on the line selects the project of every command, like ARTIFACTS_PROJECT (which the client
 * layer reads), so each command need not declare it.
 */
function takeProject(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...rest, ...argv.slice(i)];
    if (arg === '--project' || arg.startsWith('--project=')) {
      const value = arg === '--project' ? argv[++i] : arg.slice('--project='.length);
      if (!value) throw new UsageError('--project needs a project name, such as --project vision.');
      process.env['ARTIFACTS_PROJECT'] = value;
    } else {
      rest.push(arg);
    }
  }
  return rest;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = takeProject(argv);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    // `artifacts help ls` is `artifacts ls --help`.
    if (command === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
    console.log(overview());
    return command ? 0 : 2;
  }
  // Own keys only: `artifacts constructor` is an unknown command, not Object's constructor.
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(`Unknown command ${JSON.stringify(command)}; run \`artifacts help\` to see the commands.`);
  return run.run(rest);
}

// A reader that stops early (`artifacts log ... | head -1`) closes the pipe: the command still finishes its work
// and only stops printing, instead of dying on EPIPE halfway.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ArtifactsError) {
      console.error(`error: ${err.message}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    }
    console.error(`error: ${describeSystemError(err) ?? (err instanceof Error ? err.message : String(err))}`);
    if (process.env['ARTIFACTS_DEBUG']) console.error(err);
    process.exit(1);
  },
);
