import { once } from 'node:events';
import type { Response } from 'express';
import { reportRowOf } from './usage-report-store.js';

const CSV_HEADER =
  'month,license_id,customer_id,configuration_id,key_number,product,saas,quota,peak,average,days_reported,days_missing\n';

/** A CSV field: quoted when it holds a comma, a quote or a line break; a leading formula sign is defused. */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The API's and the console's CSV of a month: streamed, waiting for the socket to drain: memory stays flat. */
export async function streamUsageCsv(res: Response, rows: AsyncIterable<Record<string, unknown>>, month: string) {
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="usage-${month}.csv"`);
  res.write(CSV_HEADER);
  for await (const raw of rows) {
    const r = reportRowOf(raw);
    const line = `${[
      r.month,
      r.licenseId,
      r.customerId,
      r.configurationId,
      r.keyNumber,
      r.product,
      r.saas,
      r.quota,
      r.peak,
      r.average.toFixed(2),
      r.daysReported,
      r.daysMissing,
    ]
      .map(csvField)
      .join(',')}\n`;
    if (!res.write(line)) await once(res, 'drain');
  }
  res.end();
}
