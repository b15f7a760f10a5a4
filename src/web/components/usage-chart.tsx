/** One day of a license's month: its peak as reported. */
export interface UsageDay {
  day: string;
  peak: number;
}

const dayWidth = 18;
const plotHeight = 120;
const top = 10;
const axisHeight = 20;
const left = 40;

/**
 * A license's month as inline SVG: one bar per reported day (its peak), red above the quota,
 * and the quota as a dashed line. Attributes only (the console's content policy allows no
 * inline styles); the label repeats the numbers, so the chart reads without seeing it.
 */
export function UsageChart({
  title,
  daysInMonth,
  days,
  quota,
}: {
  title: string;
  daysInMonth: number;
  days: UsageDay[];
  quota: number | null;
}) {
  const max = Math.max(1, quota ?? 0, ...days.map((d) => d.peak));
  const y = (value: number) => top + plotHeight - Math.round((value / max) * plotHeight);
  const width = left + daysInMonth * dayWidth + 10;
  const height = top + plotHeight + axisHeight;
  const described = days.map((d) => `${d.day.slice(8)}: ${d.peak}`).join(', ');
  return (
    <svg
      class="usage-chart"
      role="img"
      aria-label={`${title}. Quota ${quota ?? 'none'}. Daily peaks: ${described || 'no reports'}`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <title>{title}</title>
      <text x={left - 6} y={top + 4} text-anchor="end" font-size="11" fill="currentColor">
        {max}
      </text>
      <text x={left - 6} y={top + plotHeight} text-anchor="end" font-size="11" fill="currentColor">
        0
      </text>
      <line x1={left} y1={top + plotHeight} x2={width - 10} y2={top + plotHeight} stroke="#98a2b3" />
      {days.map((d) => {
        const dayOfMonth = Number(d.day.slice(8));
        const barTop = y(d.peak);
        return (
          <rect
            key={d.day}
            class="usage-bar"
            data-day={d.day}
            x={left + (dayOfMonth - 1) * dayWidth + 2}
            y={barTop}
            width={dayWidth - 4}
            height={Math.max(1, top + plotHeight - barTop)}
            fill={quota !== null && d.peak > quota ? '#b42318' : '#2e6bc6'}
          >
            <title>{`${d.day}: peak ${d.peak}`}</title>
          </rect>
        );
      })}
      {quota !== null && (
        <line
          class="usage-quota"
          x1={left}
          y1={y(quota)}
          x2={width - 10}
          y2={y(quota)}
          stroke="#344054"
          stroke-dasharray="4 3"
        />
      )}
      {[1, 8, 15, 22, 29]
        .filter((n) => n <= daysInMonth)
        .map((n) => (
          <text
            key={n}
            x={left + (n - 1) * dayWidth + dayWidth / 2}
            y={height - 5}
            text-anchor="middle"
            font-size="11"
            fill="currentColor"
          >
            {n}
          </text>
        ))}
    </svg>
  );
}
