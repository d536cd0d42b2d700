import { stringify } from 'csv-stringify/sync';
import { CSV_QUOTED_MATCH, csvText } from '../io/text.js';
import { plainNumber } from './numbers.js';
import { toRows } from './rows.js';
import type { Exporter } from './types.js';

export const csvExporter: Exporter = {
  name: 'csv',
  render(report) {
    const { columns, records } = toRows(report.summaries);
    return stringify(records as Record<string, unknown>[], {
      header: true,
      columns: [...columns],
      cast: { number: plainNumber, string: csvText },
      quoted_match: CSV_QUOTED_MATCH,
    });
  },
};
