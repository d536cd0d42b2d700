import { csvExporter } from './csv.js';
import { jsonExporter } from './json.js';
import { markdownExporter } from './markdown.js';
import { tableExporter } from './table.js';
import type { Exporter } from './types.js';

export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  table: tableExporter,
  csv: csvExporter,
  json: jsonExporter,
  markdown: markdownExporter,
};

export const FORMAT_NAMES = Object.keys(EXPORTERS);
