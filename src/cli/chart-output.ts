import { extname } from 'node:path';
import { checkOutputFile } from '../io/output-place.js';
import { requireCharting } from '../plot/chart.js';

/** Before any work: the chart's file can be written (and is none of `inputs`), and what draws it (and rasterizes a .png) is installed. */
export async function checkChartOutput(path: string, flag: string, inputs: readonly string[] = []): Promise<void> {
  checkOutputFile(path, flag, 'the chart', inputs);
  await requireCharting(flag, extname(path).toLowerCase() === '.png');
}
