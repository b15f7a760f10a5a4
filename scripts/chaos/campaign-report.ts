import type { ScenarioRow } from './scenario.js';

const columns: Array<[string, (row: ScenarioRow) => string]> = [
  ['scenario', (r) => r.scenario],
  ['paid', (r) => String(r.paid)],
  ['installed', (r) => String(r.installed)],
  ['needs_manual', (r) => String(r.needsManual)],
  ['stuck', (r) => String(r.stuck)],
  ['keys at KA', (r) => String(r.keysAtKa)],
  ['licenses', (r) => String(r.licenses)],
  ['duplicates', (r) => String(r.duplicates)],
  ['5xx', (r) => String(r.serverErrors)],
  ['verdict', (r) => (r.failures.length ? 'FAIL' : 'pass')],
];

/** The table as Markdown, columns aligned so it reads in a terminal and pastes into the README. */
export function renderTable(rows: ScenarioRow[]): string {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Under the table: why each failing row fails, and what each row saw besides. */
export function renderDetails(rows: ScenarioRow[]): string {
  return rows
    .map((row) => {
      const lines = [`${row.scenario}: ${row.failures.length ? 'FAIL' : 'pass'}`];
      for (const f of row.failures) lines.push(`  ✗ ${f}`);
      for (const n of row.notes) lines.push(`  · ${n}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/** A scenario that could not run to its end (its set-up or the runner threw) still gets a failing row. */
export function brokenRow(scenario: string, err: unknown): ScenarioRow {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return {
    scenario,
    paid: 0,
    installed: 0,
    needsManual: 0,
    stuck: 0,
    keysAtKa: 0,
    licenses: 0,
    duplicates: 0,
    serverErrors: 0,
    failures: [`the scenario did not finish: ${message.split('\n').slice(0, 4).join(' | ')}`],
    notes: [],
  };
}
