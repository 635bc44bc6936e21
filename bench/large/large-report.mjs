// Turns the large suite's results into docs/benchmarks.md (the part between its markers; text outside them is kept).
import fs from 'node:fs';
import path from 'node:path';

const BEGIN = '<!-- large:begin (written by `npm run bench -- --suite large`) -->';
const END = '<!-- large:end -->';
const MiB = 1024 * 1024;
const list = (xs) => xs.map((s) => s.toFixed(2)).join(', ');

/** Each part's results as measured in fresh processes, then in warm ones (`--warm`), with the label to show. */
const VARIANTS = [['', 'fresh process'], ['@warm', 'warm process']];
const EDITS = VARIANTS.flatMap(([suffix, how]) => [[`edit${suffix}`, `local store, ${how}`], [`edit-s3${suffix}`, `S3, ${how}`]]);

function targets(parts) {
  const rows = [];
  for (const [suffix, how] of VARIANTS) {
    const single = parts[`single${suffix}`];
    if (!single) continue;
    const r = single.oneSeconds / single.allSeconds;
    rows.push(`| (a') one ${single.mib / 1024} GiB file, ${how} | ≥1.7x faster on every core than on one | ${r.toFixed(2)}x (${single.allSeconds.toFixed(2)} s against ${single.oneSeconds.toFixed(2)} s) | ${r >= 1.7 ? 'met' : 'not met'} |`);
  }
  for (const [key, label] of EDITS) {
    const e = parts[key];
    if (!e) continue;
    const ok = e.addedBytes <= 8 * MiB && e.ratio <= 0.3;
    rows.push(`| (f) ${e.mib / 1024} GiB file, 1 MiB overwritten, ${label} | second version stores ≤ 8 MiB in ≤ 0.3x the first log's time | stored ${(e.addedBytes / MiB).toFixed(2)} MiB (most of any round); ${e.ratio.toFixed(2)}x the first log's time (median of the rounds' ratios) | ${ok ? 'met' : 'not met'} |`);
  }
  return rows;
}

function details(parts) {
  const lines = [];
  for (const [suffix, how] of VARIANTS) {
    const s = parts[`single${suffix}`];
    if (!s) continue;
    lines.push(`- (a') ${how}, ${s.mib} MiB in one file, every core: ${s.allSeconds.toFixed(3)} s median (${list(s.all)}); pinned to one core: ${s.oneSeconds.toFixed(3)} s (${list(s.one)}). CPU of the process during the log (median): ${s.allCpu?.toFixed(2) ?? '–'} s on every core, ${s.oneCpu?.toFixed(2) ?? '–'} s on one.`);
  }
  for (const [key, label] of EDITS) {
    const e = parts[key];
    if (!e) continue;
    lines.push(`- (f) ${label}, ${e.mib} MiB: first log ${e.firstSeconds.toFixed(3)} s median (${list(e.rounds.map((x) => x.first))}); second ${e.secondSeconds.toFixed(3)} s (${list(e.rounds.map((x) => x.second))}); ` +
      `the second added ${e.rounds.map((x) => (x.addedBytes / MiB).toFixed(2)).join(', ')} MiB to a store holding ${(e.rounds[0].firstBytes / MiB).toFixed(0)} MiB. ` +
      `CPU of the process, second over first (median): ${e.cpuRatio?.toFixed(2) ?? '–'}.`);
  }
  return lines;
}

/** Merges this run's parts into the saved results (a run of `--parts edit` keeps the others' last numbers) and writes the report. */
export function writeLargeReport(root, results, { repo, log }) {
  const file = path.join(root, 'large-results.json');
  const saved = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { parts: {} };
  const merged = { ...results, parts: { ...saved.parts, ...Object.fromEntries(Object.entries(results.parts).map(([k, v]) => [k, { ...v, when: results.when }])) } };
  fs.writeFileSync(file, JSON.stringify(merged, null, 2));
  const body = [
    BEGIN,
    `Last run ${results.when.slice(0, 16).replace('T', ' ')} UTC: node ${results.node}, ${results.cores} cores (${results.cpu}); every log in a fresh process (a warm one: after an untimed one-file log), ` +
      `${results.rounds} rounds, medians.${results.quick ? ' **Quick mode (small sizes): not the sizes the targets are about.**' : ''}`,
    '',
    '| data set | target | measured | |',
    '| --- | --- | --- | --- |',
    ...targets(merged.parts),
    '',
    ...details(merged.parts),
    END,
  ].join('\n');
  const md = path.join(repo, 'docs', 'benchmarks.md');
  const old = fs.readFileSync(md, 'utf8');
  const start = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const next = start >= 0 && end > start ? old.slice(0, start) + body + old.slice(end + END.length) : `${old.trimEnd()}\n\n## Large files (\`npm run bench -- --suite large\`)\n\n${body}\n`;
  fs.writeFileSync(md, next);
  log(`\nwrote ${path.relative(repo, md)}\n\n${body.split('\n').filter((l) => !l.startsWith('<!--')).join('\n')}`);
}
