import { command, JSON_OPTION } from '../command';
import { formatBytes } from '../output';
import { durationMs, runGc, scheduleGc, unscheduleGc, type GcRunReport } from '../../client';

const USAGE = 'artifacts gc [--grace 24h] [--dry-run] [--allow-empty-registry] [--json] [--schedule 1h|off]';

/**
 * `artifacts gc`: deletes versions past their TTL or beyond their name's retention rule, then blobs and chunks no
 * remaining version, running write or open draft needs. `--schedule 1h` instead installs a Temporal Schedule that
 * does the same every hour on this host (an `artifacts worker` here runs it); `--schedule off` removes it.
 */
export const gcCommand = command({
  summary: 'Delete expired versions, then blobs and manifest chunks no remaining version, running write or open draft needs.',
  usage: USAGE,
  options: {
    grace: { type: 'string', value: 'DURATION', help: 'keep anything written or reused within this long (default 24h)' },
    'dry-run': { type: 'boolean', help: 'report what would be deleted; delete nothing' },
    'allow-empty-registry': { type: 'boolean', help: 'collect even when the registry records no version (it may have been reset)' },
    schedule: { type: 'string', value: 'DURATION|off', help: 'install a Temporal Schedule running gc this often on this host (off removes it)' },
    json: JSON_OPTION,
  },
  run: async ({ values }) => {
    const graceMs = durationMs(values.grace ?? '24h', '--grace');
    const allowEmptyRegistry = values['allow-empty-registry'] ?? false;
    if (values.schedule === 'off') {
      console.log((await unscheduleGc()) ? 'removed the gc schedule of this host' : 'this host had no gc schedule');
      return 0;
    }
    if (values.schedule !== undefined) {
      const id = await scheduleGc(values.schedule, { graceMs, allowEmptyRegistry });
      console.log(`gc runs every ${values.schedule} on this host (schedule ${id}); an \`artifacts worker\` here must be running to do it`);
      return 0;
    }
    const report = await runGc({ graceMs, dryRun: values['dry-run'] ?? false, allowEmptyRegistry });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report, values['dry-run'] ?? false);
    return 0;
  },
});

function printReport(report: GcRunReport, dryRun: boolean): void {
  const verb = dryRun ? 'would delete' : 'deleted';
  const { expired, retired, keptForAliases } = report.expiry;
  if (expired.length) console.log(`${verb} ${expired.length} version${expired.length === 1 ? '' : 's'} past their TTL: ${expired.join(', ')}`);
  if (retired.length) console.log(`${verb} ${retired.length} version${retired.length === 1 ? '' : 's'} beyond their retention rule: ${retired.join(', ')}`);
  if (keptForAliases.length) console.log(`kept ${keptForAliases.join(', ')} past their TTL: they hold custom aliases (\`artifacts delete REF --force\` deletes them)`);
  if (report.deferred) {
    console.log(`blobs not swept: ${report.runningWrites} write${report.runningWrites === 1 ? ' is' : 's are'} running, and an object store cannot show which blobs they reuse; run gc again once they end`);
    return;
  }
  console.log(`${verb} ${report.deleted} of ${report.scanned} blobs${dryRun ? '' : `, freed ${formatBytes(report.deletedBytes)}`}`);
  console.log(`kept ${report.referenced} referenced by versions, ${report.young} written within the grace period or since the oldest running write${report.rescued ? `, ${report.rescued} reused during this run` : ''}`);
  if (report.tempFiles) console.log(`${verb} ${report.tempFiles} temp file${report.tempFiles === 1 ? '' : 's'} of unfinished uploads (${formatBytes(report.tempBytes)})`);
  if (report.oldestRunningWrite) console.log(`running writes: ${report.runningWrites}, oldest started ${report.oldestRunningWrite}`);
}
