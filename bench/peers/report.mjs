// Turns the peers suite's results into docs/benchmarks.md (the part between its markers; text outside them is kept)
// and docs/benchmarks.png (drawn by chart.py with matplotlib from the peers' virtualenv).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { overheadTargets } from '../overhead.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BEGIN = '<!-- peers:begin (written by `npm run bench -- --suite peers`) -->';
const END = '<!-- peers:end -->';
const MiB = 1024 * 1024;
const PEERS = ['DVC', 'W&B'];

const fmt = (x, d = 2) => (x === undefined ? '–' : x.toFixed(d));
const mib = (kib) => (kib === undefined ? '–' : `${(kib / 1024).toFixed(0)} MiB`);

/** Ours' speed over each tool's (= tool seconds / ours seconds): > 1 means ours is faster; for a limit, the share of it reached. */
export function ratios(set, ours = 'ours') {
  const base = set.tools[ours]?.seconds;
  return Object.fromEntries(Object.entries(set.tools).filter(([t]) => t !== ours).map(([t, m]) => [t, m.seconds / base]));
}

function targets(results) {
  const out = [];
  const set = (k) => results.sets.find((s) => s.key === k);
  const peerCheck = (s, ours, need) => PEERS.map((p) => {
    const r = ratios(s, ours)[p];
    return r === undefined ? { ok: false, text: `${p}: not measured` } : { ok: r >= need, text: `${r.toFixed(1)}x ${p}` };
  });
  const a = set('a');
  if (a) {
    const r = ratios(a);
    const peers = [peerCheck(a, 'ours', 3)[1], peerCheck(a, 'ours', 5)[0]];
    const copy = 1 / r['plain copy'];
    const ok = copy <= 1.3 && peers.every((p) => p.ok);
    out.push(`| (a) ours | ≤1.3x the time of \`cp -r\`, ≥3x W&B, ≥5x DVC | ${copy.toFixed(2)}x the time of \`cp -r\`; ${peers.map((p) => p.text).join(', ')} | ${ok ? 'met' : 'not met'} |`);
    const limit = ratios(a, 'ours (hard links, opt-in)')['blake3 limit'];
    out.push(`| (a) ours (hard links, opt-in) | ≥0.8x of the all-core BLAKE3 limit | ${limit.toFixed(2)}x of the limit | ${limit >= 0.8 ? 'met' : 'not met'} |`);
  }
  const b = set('b');
  if (b) {
    for (const ours of ['ours', 'ours (hard links, opt-in)']) {
      const fps = b.files / b.tools[ours].seconds;
      const peers = peerCheck(b, ours, 3);
      const ok = fps >= 15_000 && peers.every((p) => p.ok);
      out.push(`| (b) ${ours} | ≥3x both peers, ≥15,000 files/s | ${fps.toFixed(0)} files/s; ${peers.map((p) => p.text).join(', ')} | ${ok ? 'met' : 'not met'} |`);
    }
  }
  const c = set('c');
  if (c) {
    const r = ratios(c).DVC;
    out.push(`| (c) ours, incremental draft | re-version ≥10x faster than DVC re-adding | ${r === undefined ? 'DVC not measured' : `${r.toFixed(1)}x DVC`} | ${r !== undefined && r >= 10 ? 'met' : 'not met'} |`);
  }
  return out;
}

function table(set) {
  const rows = [];
  const oursRows = set.reversion ? ['ours'] : ['ours', 'ours (hard links, opt-in)'];
  const r = ratios(set);
  rows.push(`| tool | median s (rounds) | MiB/s | files/s | peak RSS | ours ÷ tool speed |`);
  rows.push('| --- | --- | --- | --- | --- | --- |');
  for (const [tool, m] of Object.entries(set.tools)) {
    const rate = set.reversion ? '–' : fmt(set.bytes / MiB / m.seconds, 0);
    const fps = set.reversion ? '–' : fmt(set.files / m.seconds, 0);
    const ratio = oursRows.includes(tool) && tool === 'ours' ? '1 (reference)' : `${fmt(r[tool])}x`;
    rows.push(`| ${tool} | ${fmt(m.seconds, 3)} (${m.all.map((s) => s.toFixed(2)).join(', ')}) | ${rate} | ${fps} | ${mib(m.maxRssKiB)} | ${ratio} |`);
  }
  return rows.join('\n');
}

export function writeReport(results, { repo, python, log }) {
  const docs = path.join(repo, 'docs');
  const md = path.join(docs, 'benchmarks.md');
  const png = path.join(docs, 'benchmarks.png');
  const body = [
    BEGIN,
    `Last run ${results.when.slice(0, 16).replace('T', ' ')} UTC: node ${results.node}, ${results.cores} cores (${results.cpu}), ${results.memGiB} GiB; ` +
      `tools taking turns within each round, every round's time listed, medians (of two rounds: the slower). Peers: ${Object.entries(results.versions).filter(([k]) => k !== 'matplotlib').map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}` +
      `${Object.keys(results.missing).length ? `; skipped: ${Object.entries(results.missing).map(([k, v]) => `${k} (${v})`).join('; ')}` : ''}.` +
      `${results.quick ? ' **Quick mode (small sizes): not the sizes the targets are about.**' : ''}`,
    '',
    '![ours ÷ each tool\'s speed, per data set](benchmarks.png)',
    '',
    '### Targets',
    '',
    '| data set | target | measured | |',
    '| --- | --- | --- | --- |',
    ...targets(results),
    ...(results.overhead ? overheadTargets(results.overhead) : []),
    '',
    ...results.sets.flatMap((s) => [`### (${s.key}) ${s.label}`, '', `${s.files.toLocaleString('en-US')} files, ${(s.bytes / MiB).toFixed(0)} MiB; measured ${(s.when ?? results.when).slice(0, 16).replace('T', ' ')} UTC${s.pageCacheDropped === undefined ? '' : s.pageCacheDropped ? '; the page cache dropped before every timed run' : '; the page cache could not be dropped (not root): only a `sync` before every timed run'}.`, '', table(s), '']),
    END,
  ].join('\n');
  const old = fs.existsSync(md) ? fs.readFileSync(md, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const start = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const next = start >= 0 && end > start ? old.slice(0, start) + body + old.slice(end + END.length) : `${old}\n${body}\n`;
  fs.writeFileSync(md, next);
  log(`\nwrote ${path.relative(repo, md)}`);
  if (!python) {
    log('SKIPPING the chart: matplotlib could not be installed in the peers\' virtualenv');
    return;
  }
  const COMPARED = ['DVC', 'W&B', 'blake3 limit', 'plain copy'];
  const variants = (s) => Object.fromEntries(['ours', 'ours (hard links, opt-in)'].filter((o) => s.tools[o]).map((o) => [o, Object.fromEntries(Object.entries(ratios(s, o)).filter(([t]) => COMPARED.includes(t)))]));
  const chart = results.sets.map((s) => ({ label: `(${s.key}) ${s.label}`, key: s.key, variants: variants(s) }));
  execFileSync(python, [path.join(here, 'chart.py'), png], { input: JSON.stringify(chart), stdio: ['pipe', 'inherit', 'inherit'] });
  log(`wrote ${path.relative(repo, png)}`);
  console.log(`\n${body.split('\n').filter((l) => !l.startsWith('<!--') && !l.startsWith('![')).join('\n')}`);
}
