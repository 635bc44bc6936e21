/** The command table of `artifacts`: each entry carries its usage, summary and options, which `--help` prints. */
import type { Command } from '../command';
import { logCommand } from './log';
import { draftsCommand, finishCommand, upsertCommand } from './collaborative';
import { fanOutCommand } from './fan-out';
import { lsCommand, showCommand, verifyCommand } from './inspect';
import { catCommand, checkoutCommand, downloadCommand } from './read';
import { diffCommand, draftCommand, lineageCommand } from './incremental';
import { aliasCommand, editCommand, historyCommand, protectCommand, unaliasCommand } from './edits';
import { gcCommand } from './gc';
import { deleteCommand, retentionCommand } from './lifecycle';
import { cancelCommand, runCommand, statusCommand, validateCommand } from './pipeline';
import { deployCommand, deploymentsCommand, undeployCommand } from './deploy';
import { serverCommand } from './server';
import { workerCommand } from './worker';
import { uiCommand } from './ui';
import { hashCommand } from './hash';

export const COMMANDS: Readonly<Record<string, Command>> = {
  log: logCommand,
  ls: lsCommand,
  show: showCommand,
  download: downloadCommand,
  checkout: checkoutCommand,
  cat: catCommand,
  verify: verifyCommand,
  hash: hashCommand,
  draft: draftCommand,
  diff: diffCommand,
  lineage: lineageCommand,
  alias: aliasCommand,
  unalias: unaliasCommand,
  edit: editCommand,
  history: historyCommand,
  protect: protectCommand,
  gc: gcCommand,
  delete: deleteCommand,
  retention: retentionCommand,
  worker: workerCommand,
  validate: validateCommand,
  run: runCommand,
  status: statusCommand,
  cancel: cancelCommand,
  deploy: deployCommand,
  deployments: deploymentsCommand,
  undeploy: undeployCommand,
  upsert: upsertCommand,
  finish: finishCommand,
  drafts: draftsCommand,
  'fan-out': fanOutCommand,
  server: serverCommand,
  ui: uiCommand,
};
