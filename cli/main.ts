#!/usr/bin/env node
/** The `artifacts` command: thin wiring from arguments to the API, store and runtime. */
import { logCommand } from './commands/log';
import { draftsCommand, finishCommand, upsertCommand } from './commands/collaborative';
import { fanOutCommand } from './commands/fan-out';
import { lsCommand, showCommand, verifyCommand } from './commands/inspect';
import { catCommand, checkoutCommand, downloadCommand } from './commands/read';
import { diffCommand, draftCommand, lineageCommand } from './commands/incremental';
import { gcCommand } from './commands/gc';
import { cancelCommand, runCommand, statusCommand, validateCommand } from './commands/pipeline';
import { serverCommand } from './commands/server';
import { workerCommand } from './commands/worker';
import { describeSystemError } from './system-errors';
import { ArtifactsError, UsageError } from '../errors';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  log: logCommand,
  ls: lsCommand,
  show: showCommand,
  download: downloadCommand,
  checkout: checkoutCommand,
  cat: catCommand,
  verify: verifyCommand,
  draft: draftCommand,
  diff: diffCommand,
  lineage: lineageCommand,
  gc: gcCommand,
  worker: workerCommand,
  validate: validateCommand,
  run: runCommand,
  status: statusCommand,
  cancel: cancelCommand,
  upsert: upsertCommand,
  finish: finishCommand,
  drafts: draftsCommand,
  'fan-out': fanOutCommand,
  server: serverCommand,
};

const HELP = `artifacts: versioned ML artifacts, run durably on Temporal

  artifacts log PATH... --name NAME --type TYPE [--alias A]... [--metadata k=v]...
  artifacts ls [NAME] [--all-projects]   the project's names (or every project's), or one name's versions
  artifacts show REF              a version's details and files (REF: name:v3, name:latest, name:alias, name@digest)
  artifacts download REF DIR [--path-prefix P]   write a version's files (or those under P) into DIR; files in place are skipped
  artifacts checkout REF DIR      make DIR hold exactly the version: download, then remove files it does not hold
  artifacts cat REF PATH          print one file of a version (verified against its digest)
  artifacts verify REF            re-hash every file; exit 1 naming each mismatch
  artifacts draft REF [--add PATH]... [--remove NAME]...   a new version from REF with files added, replaced, removed
  artifacts diff A B              added, removed and modified files from A to B
  artifacts lineage REF           who made a version, its base, what it used, what was made from it
  artifacts gc [--grace 24h] [--dry-run]   delete blobs no version, open draft or running write needs
  artifacts upsert PATH... --name NAME --type TYPE --distributed-id ID   add files to a shared draft
  artifacts finish [PATH...] --name NAME --type TYPE --distributed-id ID commit the draft as one version
  artifacts drafts                open drafts: writers, files, age
  artifacts fan-out --name NAME --type TYPE --shards N -- COMMAND...     run COMMAND per shard on any worker, commit once
  artifacts validate FILE         check a pipeline file; every problem at once
  artifacts run FILE [--param k=v]... [--run-id ID] [--detach]   run a pipeline
  artifacts status RUN            a pipeline run's steps      artifacts cancel RUN   stop it
  artifacts worker                run a standalone worker for this host
  artifacts server start|status|stop   the embedded Temporal dev server

Every command takes --project P (default ARTIFACTS_PROJECT, else "default"); REF may name another project: P/name:v3.
Settings: ARTIFACTS_HOME (data folder), ARTIFACTS_PROJECT, TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (use an existing cluster).`;

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
    console.log(HELP);
    return command ? 0 : 2;
  }
  // Own keys only: `artifacts constructor` is an unknown command, not Object's constructor.
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(`Unknown command ${JSON.stringify(command)}; run \`artifacts help\` to see the commands.`);
  return run(rest);
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
