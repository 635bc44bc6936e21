import { command, JSON_OPTION } from '../command';
import { formatBytes } from '../output';
import { runGc } from '../../client';
import { UsageError } from '../../errors';

const USAGE = 'artifacts gc [--grace 24h] [--dry-run] [--allow-empty-registry] [--json]';

/** `artifacts gc`: deletes blobs and chunks no committed version, running write or open draft needs. */
export const gcCommand = command({
  summary: 'Delete blobs and manifest chunks no committed version, running write or open draft needs.',
  usage: USAGE,
  options: {
    grace: { type: 'string', value: 'DURATION', help: 'keep anything written or reused within this long (default 24h)' },
    'dry-run': { type: 'boolean', help: 'report what would be deleted; delete nothing' },
    'allow-empty-registry': { type: 'boolean', help: 'collect even when the registry records no version (it may have been reset)' },
    json: JSON_OPTION,
  },
  run: async ({ values }) => {
    const graceMs = parseDuration(values.grace ?? '24h');
    const report = await runGc({ graceMs, dryRun: values['dry-run'] ?? false, allowEmptyRegistry: values['allow-empty-registry'] ?? false });
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    const verb = values['dry-run'] ? 'would delete' : 'deleted';
    console.log(`${verb} ${report.deleted} of ${report.scanned} blobs${values['dry-run'] ? '' : `, freed ${formatBytes(report.deletedBytes)}`}`);
    console.log(`kept ${report.referenced} referenced by versions, ${report.young} written within the grace period or since the oldest running write${report.rescued ? `, ${report.rescued} reused during this run` : ''}`);
    if (report.tempFiles) console.log(`${verb} ${report.tempFiles} temp file${report.tempFiles === 1 ? '' : 's'} of unfinished uploads (${formatBytes(report.tempBytes)})`);
    if (report.oldestRunningWrite) console.log(`running writes: ${report.runningWrites}, oldest started ${report.oldestRunningWrite}`);
    return 0;
  },
});

/** `90s`, `30m`, `24h`, `7d`, or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--grace ${JSON.stringify(text)} is not a duration; write 30m, 24h or 7d. Usage: ${USAGE}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
