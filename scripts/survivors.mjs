// Lists the surviving mutants of a StrykerJS JSON report and counts the rest:
// `node scripts/survivors.mjs reports/mutation/stats.json`. In a sampled run (--sample=N) the
// mutants outside the sample are Ignored; the count of single-line mutants is the line sample alone.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const counts = {};
const singleLine = {};
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const m of mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    if (m.location.start.line === m.location.end.line) singleLine[m.status] = (singleLine[m.status] ?? 0) + 1;
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { start, end } = m.location;
    const original = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
    console.log(`${file}:${start.line}:${start.column} ${m.mutatorName}: ${original.trim().slice(0, 80)} → ${String(m.replacement).replace(/\s+/g, ' ').slice(0, 80)}`);
  }
}
const score = (c) => {
  const detected = (c.Killed ?? 0) + (c.Timeout ?? 0);
  const tested = detected + (c.Survived ?? 0) + (c.NoCoverage ?? 0);
  return `${detected} of ${tested} detected (${tested ? ((100 * detected) / tested).toFixed(1) : '-'}%)`;
};
console.log(`all: ${JSON.stringify(counts)}; ${score(counts)}`);
console.log(`single-line only: ${score(singleLine)}`);
