// Lists the surviving mutants of a StrykerJS JSON report: `node scripts/survivors.mjs reports/mutation/stats.json`.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
    const { start, end } = m.location;
    const original = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
    console.log(`${file}:${start.line}:${start.column} ${m.mutatorName}: ${original.trim().slice(0, 80)} → ${String(m.replacement).replace(/\s+/g, ' ').slice(0, 80)}`);
  }
}
