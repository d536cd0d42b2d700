// A StrykerJS ignorer that keeps a systematic sample of a module's mutants, for modules too large
// to measure whole in the time at hand: `MUTATE_SAMPLE=3` keeps the mutants on every third line
// (line number divisible by 3) and every mutant of a node that spans several lines (whose
// sub-nodes on other lines then decide for themselves). The rest are reported as Ignored.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const every = Number(process.env.MUTATE_SAMPLE ?? 1);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'sample', {
    shouldIgnore(path) {
      const loc = path.node.loc;
      if (every <= 1 || !loc || loc.start.line !== loc.end.line) return undefined;
      return loc.start.line % every === 0 ? undefined : `outside the 1-in-${every} line sample`;
    },
  }),
];
