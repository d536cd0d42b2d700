// A StrykerJS ignorer that keeps a systematic sample of a module's mutants, for modules too large
// to measure whole in the time at hand: `MUTATE_SAMPLE=3` keeps the mutants on every third line
// (line number divisible by 3) and every mutant of a node that spans several lines (whose
// sub-nodes on other lines then decide for themselves). `MUTATE_SAMPLE=6:3` keeps the lines whose
// number leaves 3 when divided by 6: another sample of the same size, disjoint from `6` (offset 0)
// in its single-line mutants. The rest are reported as Ignored.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

/** `N` or `N:K` (0 ≤ K < N, whole numbers) as { every, offset }; anything else is refused. */
export function parseSample(text) {
  const match = /^(\d+)(?::(\d+))?$/.exec(text);
  const every = match ? Number(match[1]) : Number.NaN;
  const offset = match?.[2] === undefined ? 0 : Number(match[2]);
  if (!match || every < 1 || offset >= every) throw new Error(`--sample=${text}: give N or N:K, whole numbers with N ≥ 1 and 0 ≤ K < N`);
  return { every, offset };
}

const { every, offset } = parseSample(process.env.MUTATE_SAMPLE ?? '1');
const name = offset === 0 ? `1-in-${every}` : `1-in-${every} (offset ${offset})`;

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'sample', {
    shouldIgnore(path) {
      const loc = path.node.loc;
      if (every <= 1 || !loc || loc.start.line !== loc.end.line) return undefined;
      return loc.start.line % every === offset ? undefined : `outside the ${name} line sample`;
    },
  }),
];
