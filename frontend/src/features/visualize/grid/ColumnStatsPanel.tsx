import { formatCount, formatNumber, formatPercent } from '../format'
import type { ColumnSummary } from '../types'
import { HistogramChart } from './Histograms'
import { TypeBadge } from './TypeBadge'

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div className="stat">
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  )
}

function display(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value)
  if (value === null || value === undefined) return '—'
  return String(value)
}

/** The statistics of one column: counts, moments and quartiles, histogram or most frequent values.
 * ``sampled``: the distinct count and quartiles are of a sample of the rows (a table stored in parts). */
export function ColumnStatsPanel({
  column,
  rowCount,
  sampled = false,
  onClose,
}: {
  column: ColumnSummary
  rowCount: number
  sampled?: boolean
  onClose?: () => void
}) {
  const { stats, type } = column
  const headingId = `column-stats-${column.name.replace(/[^a-zA-Z0-9_-]/g, '_')}`
  const top = stats.top ?? []
  const topTotal = stats.count || 1
  return (
    <aside className="column-stats" aria-labelledby={headingId} data-testid="column-stats">
      <header className="column-stats-header">
        <div className="column-stats-title">
          <TypeBadge type={type} />
          <h4 id={headingId} title={column.name}>
            {column.name}
          </h4>
        </div>
        {onClose ? (
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close column statistics">
            ×
          </button>
        ) : null}
      </header>
      <dl className="stat-list">
        <Stat name="Count" value={formatCount(stats.count)} />
        <Stat
          name="Missing"
          value={`${formatCount(stats.missing)}${rowCount > 0 && stats.missing > 0 ? ` (${formatPercent(stats.missing / rowCount)})` : ''}`}
        />
        <Stat name={sampled ? 'Unique in sample' : 'Unique'} value={formatCount(stats.unique)} />
        {type === 'numeric' ? (
          <>
            <Stat name="Mean" value={formatNumber(stats.mean)} />
            <Stat name="Std" value={formatNumber(stats.std)} />
            <Stat name="Min" value={display(stats.min)} />
            <Stat name="25%" value={formatNumber(stats.q25)} />
            <Stat name="Median" value={formatNumber(stats.median)} />
            <Stat name="75%" value={formatNumber(stats.q75)} />
            <Stat name="Max" value={display(stats.max)} />
          </>
        ) : null}
        {type === 'datetime' ? (
          <>
            <Stat name="Min" value={display(stats.min)} />
            <Stat name="Max" value={display(stats.max)} />
          </>
        ) : null}
        {type === 'boolean' ? (
          <>
            <Stat name="True" value={formatCount(stats.true_count)} />
            <Stat name="False" value={formatCount(stats.false_count)} />
          </>
        ) : null}
      </dl>
      {stats.histogram && stats.histogram.counts.length > 0 ? (
        <section className="column-stats-section" aria-label="Histogram">
          <h5>Histogram</h5>
          <HistogramChart histogram={stats.histogram} />
        </section>
      ) : null}
      {top.length > 0 && type !== 'numeric' ? (
        <section className="column-stats-section" aria-label="Most frequent values">
          <h5>Most frequent values</h5>
          <ol className="top-values">
            {top.map((entry, i) => (
              <li key={i}>
                <span className="top-value" title={display(entry.value)}>
                  {display(entry.value)}
                </span>
                <span className="top-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(2, (entry.count / topTotal) * 100)}%` }} />
                </span>
                <span className="top-count">{formatCount(entry.count)}</span>
              </li>
            ))}
          </ol>
          {stats.other_count ? <p className="stats-note">and {formatCount(stats.other_count)} other values</p> : null}
        </section>
      ) : null}
    </aside>
  )
}
