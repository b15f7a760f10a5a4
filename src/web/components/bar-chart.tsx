/** One bar of a chart: its label, its value and where it leads. */
export interface Bar {
  label: string;
  value: number;
  href?: string;
}

const rowHeight = 26;
const labelWidth = 180;
const barSpace = 300;
const valueWidth = 50;

/**
 * A small horizontal bar chart as inline SVG: no script, no library, drawn with attributes only
 * (the console's content policy allows no inline styles). The numbers are in the text too, and
 * the chart's title says what it shows, so it reads without seeing it.
 */
export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight;
  return (
    <svg
      class="bar-chart"
      role="img"
      aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}
      viewBox={`0 0 ${labelWidth + barSpace + valueWidth} ${height}`}
      width={labelWidth + barSpace + valueWidth}
      height={height}
    >
      <title>{title}</title>
      {bars.map((b, i) => {
        const y = i * rowHeight;
        const width = Math.max(2, Math.round((b.value / max) * barSpace));
        const row = (
          <g key={b.label}>
            <text x={labelWidth - 8} y={y + 17} text-anchor="end" font-size="13" fill="currentColor">
              {b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label}
            </text>
            <rect x={labelWidth} y={y + 5} width={width} height={rowHeight - 10} rx="3" fill="#b42318" />
            <text x={labelWidth + width + 6} y={y + 17} font-size="13" fill="currentColor">
              {b.value}
            </text>
          </g>
        );
        return b.href ? (
          <a key={b.label} href={b.href}>
            {row}
          </a>
        ) : (
          row
        );
      })}
    </svg>
  );
}
