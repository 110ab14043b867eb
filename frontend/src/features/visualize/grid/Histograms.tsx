import { formatCount, formatNumber } from '../format'
import type { ColumnSummary, Histogram } from '../types'

function label(edge: number | string | undefined): string {
  if (edge === undefined) return ''
  if (typeof edge === 'number') return formatNumber(edge)
  // ISO timestamps: the date part is what a small axis can show.
  return edge.length > 10 && /^\d{4}-\d{2}-\d{2}T/.test(edge) ? edge.slice(0, 10) : edge
}

/** A sparkline-sized histogram (header cells). Decorative: the numbers are in the stats panel. */
export function MiniHistogram({ counts, width = 96, height = 18 }: { counts: number[]; width?: number; height?: number }) {
  const max = Math.max(0, ...counts)
  if (counts.length === 0 || max === 0) return <svg className="mini-hist" width={width} height={height} aria-hidden="true" />
  const step = width / counts.length
  return (
    <svg className="mini-hist" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      {counts.map((count, i) => {
        const h = count === 0 ? 0 : Math.max(1.5, (count / max) * height)
        return <rect key={i} x={i * step + 0.5} y={height - h} width={Math.max(0.8, step - 1)} height={h} rx={0.8} />
      })}
    </svg>
  )
}

/** Share bars of the most frequent values (header cells of string/boolean columns). */
export function MiniShares({ column, width = 96, height = 18 }: { column: ColumnSummary; width?: number; height?: number }) {
  const top = column.stats.top ?? []
  const total = column.stats.count || 0
  if (top.length === 0 || total === 0) return <svg className="mini-hist" width={width} height={height} aria-hidden="true" />
  let x = 0
  const parts = top.slice(0, 6).map((entry, i) => {
    const w = (entry.count / total) * width
    const part = <rect key={i} className={`share share-${i % 6}`} x={x} y={height - 8} width={Math.max(0, w - 1)} height={8} rx={1.5} />
    x += w
    return part
  })
  return (
    <svg className="mini-hist" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <rect className="share-rest" x={0} y={height - 8} width={width} height={8} rx={1.5} />
      {parts}
    </svg>
  )
}

/** The histogram of the stats panel: bars, value range under them, counts in each bar's tooltip. */
export function HistogramChart({ histogram, width = 248, height = 96 }: { histogram: Histogram; width?: number; height?: number }) {
  const { edges, counts } = histogram
  const max = Math.max(0, ...counts)
  if (counts.length === 0 || max === 0) return <p className="stats-empty">No values to chart.</p>
  const step = width / counts.length
  return (
    <figure className="stats-hist">
      <svg
        width="100%"
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Histogram of ${counts.length} bins, largest bin ${formatCount(max)} values`}
      >
        {counts.map((count, i) => {
          const h = count === 0 ? 0 : Math.max(1.5, (count / max) * (height - 4))
          return (
            <rect key={i} x={i * step + 0.5} y={height - h} width={Math.max(0.8, step - 1)} height={h} rx={1.5}>
              <title>{`${label(edges[i])} – ${label(edges[i + 1])}: ${formatCount(count)}`}</title>
            </rect>
          )
        })}
      </svg>
      <figcaption className="stats-hist-axis">
        <span>{label(edges[0])}</span>
        <span>{label(edges[edges.length - 1])}</span>
      </figcaption>
    </figure>
  )
}
