import type { Exporter } from './types.js';

/** Exporters load on demand, so a run pays only for the format it prints. */
const LOADERS: Readonly<Record<string, () => Promise<Exporter>>> = {
  table: async () => (await import('./table.js')).tableExporter,
  csv: async () => (await import('./csv.js')).csvExporter,
  json: async () => (await import('./json.js')).jsonExporter,
  markdown: async () => (await import('./markdown.js')).markdownExporter,
  junit: async () => (await import('./junit.js')).junitExporter,
};

export const FORMAT_NAMES = Object.keys(LOADERS);

export function loadExporter(format: string): Promise<Exporter> {
  const load = LOADERS[format];
  if (!load) throw new Error(`unknown format ${format}`);
  return load();
}
