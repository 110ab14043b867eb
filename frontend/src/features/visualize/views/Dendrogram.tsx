import { useMemo } from 'react'
import { niceStep } from '../charts/scale'
import { formatAxisTick, formatCount, formatNumber } from '../format'
import { clusterColor } from '../palette'
import type { DendrogramView } from '../types'

// SVG user units: the drawing scales to the card's width, text with it.
const WIDTH = 760
const HEIGHT = 320
const MARGIN = { top: 14, right: 16, bottom: 56, left: 52 }
const NEUTRAL = '#8a94a6'

/** The leaf (0-based, left to right) a link's subtree starts at: SciPy puts leaf i at x = 10·i + 5. */
function firstLeafUnder(x: number): number {
  return Math.max(0, Math.ceil((x - 5) / 10 - 1e-9))
}

/** Geometry in SVG units: each link as a path, its colour, the leaves, the y ticks and the cut line. */
export function layoutDendrogram(view: DendrogramView) {
  const nLeaves = view.leaves.length
  const heights = view.dcoord.flat().filter((y): y is number => y !== null && Number.isFinite(y))
  const top = Math.max(0, ...heights, view.cut_height ?? 0) * 1.05 || 1
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (value: number) => MARGIN.left + (value / (10 * Math.max(1, nLeaves))) * plotW
  const y = (value: number | null) => MARGIN.top + plotH - ((value ?? top) / top) * plotH
  const cut = view.cut_height
  const links = view.icoord.map((xs, i) => {
    const ys = view.dcoord[i]
    const height = Math.max(...ys.map((v) => v ?? top))
    const cluster = cut !== null && height <= cut ? (view.leaf_clusters?.[firstLeafUnder(xs[0])] ?? null) : null
    return {
      d: xs.map((xv, j) => `${j === 0 ? 'M' : 'L'}${x(xv).toFixed(1)},${y(ys[j]).toFixed(1)}`).join(' '),
      color: cluster === null ? NEUTRAL : clusterColor(cluster),
    }
  })
  const leaves = view.leaves.map((_, i) => ({
    x: x(10 * i + 5),
    label: view.leaf_labels[i],
    count: view.leaf_counts[i],
    cluster: view.leaf_clusters?.[i] ?? null,
  }))
  const step = niceStep(top / 5)
  const ticks: Array<{ y: number; label: string }> = []
  for (let v = 0; v <= top + 1e-12; v += step) ticks.push({ y: y(v), label: formatAxisTick(v) })
  return { links, leaves, ticks, cutY: cut === null ? null : y(cut), baseline: y(0) }
}

/** A hierarchical model's merge tree (a model summary's `dendrogram`): links coloured by the cluster
 * they fall in below the cut, the cut line, and a note when only the last merges are shown. */
export function Dendrogram({ view }: { view: DendrogramView }) {
  const layout = useMemo(() => layoutDendrogram(view), [view])
  const showLabels = layout.leaves.length <= 60
  return (
    <div>
      <svg
        className="dendrogram"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Dendrogram of ${formatCount(view.n_rows)} training rows${
          view.cut_height !== null ? `, cut at height ${formatNumber(view.cut_height)}` : ''
        }`}
        data-testid="dendrogram"
        data-links={layout.links.length}
        data-leaves={layout.leaves.length}
        data-cut={view.cut_height ?? ''}
        data-truncated={view.truncated ? 'true' : 'false'}
      >
        <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={layout.baseline} stroke="currentColor" strokeOpacity={0.4} />
        {layout.ticks.map((tick) => (
          <g key={tick.label}>
            <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={tick.y} y2={tick.y} stroke="currentColor" strokeOpacity={0.4} />
            <text x={MARGIN.left - 7} y={tick.y} fontSize={11} textAnchor="end" dominantBaseline="middle" fill="currentColor">
              {tick.label}
            </text>
          </g>
        ))}
        <text x={12} y={MARGIN.top + (layout.baseline - MARGIN.top) / 2} fontSize={11} textAnchor="middle" fill="currentColor" transform={`rotate(-90 12 ${MARGIN.top + (layout.baseline - MARGIN.top) / 2})`}>
          Merge distance
        </text>
        {layout.links.map((link, i) => (
          <path key={i} d={link.d} fill="none" stroke={link.color} strokeWidth={1.4} data-testid="dendrogram-link" />
        ))}
        {layout.leaves.map((leaf, i) => (
          <g key={i}>
            <circle cx={leaf.x} cy={layout.baseline} r={2.6} fill={leaf.cluster === null ? NEUTRAL : clusterColor(leaf.cluster)}>
              <title>{`${leaf.count > 1 ? `${formatCount(leaf.count)} rows` : `Row ${leaf.label}`}${leaf.cluster !== null ? ` · Cluster ${leaf.cluster}` : ''}`}</title>
            </circle>
            {showLabels ? (
              <text x={leaf.x} y={layout.baseline + 8} fontSize={10} textAnchor="end" fill="currentColor" transform={`rotate(-60 ${leaf.x} ${layout.baseline + 8})`}>
                {leaf.label}
              </text>
            ) : null}
          </g>
        ))}
        {layout.cutY !== null ? (
          <g data-testid="dendrogram-cut">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={layout.cutY} y2={layout.cutY} stroke="#d64545" strokeWidth={1.4} strokeDasharray="6 4" />
            <text x={WIDTH - MARGIN.right} y={layout.cutY - 5} fontSize={11} textAnchor="end" fill="#d64545">
              {`Cut at ${formatNumber(view.cut_height)}`}
            </text>
          </g>
        ) : null}
      </svg>
      <p className="stats-note" data-testid="dendrogram-note">
        {view.truncated
          ? `Showing the last ${formatCount(view.truncated.shown)} merges of ${formatCount(view.truncated.of)}: a leaf "(n)" stands for a group of n training rows merged below it.`
          : `Every merge of the ${formatCount(view.n_rows)} training rows.`}
      </p>
    </div>
  )
}
