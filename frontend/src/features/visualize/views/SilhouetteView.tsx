import { useMemo, useState } from 'react'
import { type OutputRef } from '../api'
import { formatCount, formatNumber } from '../format'
import { clusterColor, clusterName, withAlpha } from '../palette'
import { bandPoints, getSilhouette, silhouetteUrl, stackBands, type SilhouetteCluster, type SilhouettePlot } from '../silhouette'
import { ErrorState, useLoad } from '../viewerStates'
import './profile.css'

const WIDTH = 640
const HEIGHT = 380
const MARGIN = { left: 92, right: 16, top: 8, bottom: 30 }
const GAP_SHARE = 0.04

/** The classic plot: each cluster's rows as bars sorted high to low, stacked, with the mean line. */
function SilhouetteChart({ plot, selected, onSelect }: { plot: SilhouettePlot; selected: number | null; onSelect: (cluster: number) => void }) {
  const measured = plot.clusters.reduce((n, c) => n + c.values.length, 0)
  const gap = Math.max(1, Math.round(measured * GAP_SHARE))
  const { bands, total } = useMemo(() => stackBands(plot.clusters, gap), [plot.clusters, gap])
  const low = Math.min(0, ...plot.clusters.map((c) => c.values[c.values.length - 1] ?? 0))
  const lowTick = Math.floor(low * 5) / 5
  const x = (value: number) => MARGIN.left + ((value - lowTick) / (1 - lowTick)) * (WIDTH - MARGIN.left - MARGIN.right)
  const y = (row: number) => MARGIN.top + (row / total) * (HEIGHT - MARGIN.top - MARGIN.bottom)
  const ticks: number[] = []
  for (let t = lowTick; t <= 1.0001; t += 0.2) ticks.push(Math.round(t * 10) / 10)
  return (
    <svg
      className="silhouette-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Silhouette of each row by cluster; mean ${formatNumber(plot.mean)}`}
      data-testid="silhouette-chart"
      data-bands={bands.length}
      data-rows={measured}
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} className={t === 0 ? 'silhouette-zero' : 'silhouette-grid'} />
          <text x={x(t)} y={HEIGHT - MARGIN.bottom + 16} textAnchor="middle" className="silhouette-tick">
            {t.toFixed(1)}
          </text>
        </g>
      ))}
      {bands.map((band) => {
        const color = clusterColor(band.cluster)
        const dimmed = selected !== null && selected !== band.cluster
        return (
          <g key={band.cluster} className="silhouette-band" onClick={() => onSelect(band.cluster)} data-testid="silhouette-band">
            <polygon points={bandPoints(band, x, y)} fill={withAlpha(color, dimmed ? 0.25 : 0.85)} stroke={color} strokeWidth={0.6} />
            <text x={MARGIN.left - 8} y={y(band.top + band.height / 2)} textAnchor="end" dominantBaseline="middle" className="silhouette-label">
              {clusterName(band.cluster)}
            </text>
          </g>
        )
      })}
      {plot.mean !== null ? (
        <g data-testid="silhouette-mean">
          <line x1={x(plot.mean)} x2={x(plot.mean)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} className="silhouette-mean" />
          <text x={x(plot.mean) + 4} y={MARGIN.top + 10} className="silhouette-mean-label">
            mean {formatNumber(plot.mean, 3)}
          </text>
        </g>
      ) : null}
      <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 2} textAnchor="middle" className="silhouette-tick">
        silhouette
      </text>
    </svg>
  )
}

function WorstRows({ cluster, features }: { cluster: SilhouetteCluster; features: string[] }) {
  const shown = features.slice(0, 8)
  return (
    <div className="profile-table-wrap">
      <table className="profile-table" data-testid="worst-rows">
        <caption className="silhouette-caption">
          The {cluster.worst.length} rows of {clusterName(cluster.cluster)} that fit it worst
        </caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Silhouette</th>
            <th scope="col">Simplified</th>
            {shown.map((name) => (
              <th scope="col" key={name}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cluster.worst.map((row) => (
            <tr key={row.row}>
              <th scope="row">{formatCount(row.row + 1)}</th>
              <td className={row.silhouette !== null && row.silhouette < 0 ? 'is-negative' : undefined}>{formatNumber(row.silhouette, 3)}</td>
              <td>{formatNumber(row.simplified, 3)}</td>
              {shown.map((name) => (
                <td key={name}>{formatNumber(row.values[name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function plotNote(plot: SilhouettePlot): string {
  const simplified = `simplified silhouette (to the centroids) on ${plot.sampled_from_rows ? 'the same sample' : 'every row'}`
  const parts = [
    plot.sampled_from_rows
      ? `exact on an even sample of ${formatCount(plot.exact_rows)} of ${formatCount(plot.sampled_from_rows)} rows`
      : plot.sampled
        ? `exact on a sample of ${formatCount(plot.exact_rows)} of ${formatCount(plot.clustered_rows)} rows, drawn by cluster`
        : `exact on all ${formatCount(plot.exact_rows)} rows`,
    `${simplified}: ${formatNumber(plot.mean_simplified, 3)}`,
  ]
  if (plot.excluded_rows) parts.push(`${formatCount(plot.excluded_rows)} rows without a cluster or a feature value left out`)
  return parts.join(' · ')
}

/** How well each row sits in its cluster: the silhouette plot and, for a chosen cluster, its worst rows. */
export function SilhouetteView({ outputRef }: { outputRef: OutputRef }) {
  const [load, reload] = useLoad<SilhouettePlot>(silhouetteUrl(outputRef), (signal) => getSilhouette(outputRef, signal))
  const [selected, setSelected] = useState<number | null>(null)
  if (load.state === 'loading') return <div className="skeleton profile-skeleton" aria-busy="true" aria-label="Computing the silhouettes" />
  if (load.state === 'error') return <ErrorState error={load.error} onRetry={reload} />
  const plot = load.data
  const chosen = plot.clusters.find((c) => c.cluster === selected)
  return (
    <div className="silhouette-view" data-testid="silhouette-view">
      <section className="card" aria-labelledby="silhouette-heading">
        <header className="card-header">
          <div>
            <h3 id="silhouette-heading">Silhouette of each row</h3>
            <p className="card-subtitle" data-testid="silhouette-note">
              {plot.message ?? plotNote(plot)}
            </p>
          </div>
        </header>
        {plot.message ? null : (
          <>
            <p className="silhouette-help">
              1: well inside its cluster · 0: on a border · below 0: nearer another cluster. Distances over the min-max scaled
              numeric columns. Click a cluster to list the rows that fit it worst.
            </p>
            <div className="silhouette-picker" role="group" aria-label="Clusters">
              {plot.clusters.map((cluster) => (
                <button
                  key={cluster.cluster}
                  type="button"
                  className={`btn btn-small${selected === cluster.cluster ? ' is-active' : ''}`}
                  aria-pressed={selected === cluster.cluster}
                  onClick={() => setSelected(selected === cluster.cluster ? null : cluster.cluster)}
                >
                  <span className="legend-swatch" style={{ background: clusterColor(cluster.cluster) }} aria-hidden="true" />
                  {clusterName(cluster.cluster)} · mean {formatNumber(cluster.mean, 2)}
                </button>
              ))}
            </div>
            <SilhouetteChart plot={plot} selected={selected} onSelect={(c) => setSelected(selected === c ? null : c)} />
            {chosen ? <WorstRows cluster={chosen} features={plot.features} /> : null}
          </>
        )}
      </section>
    </div>
  )
}
