import { useCallback, useMemo, useState } from 'react'
import {
  LARGE_THRESHOLD,
  buildClusterChartOption,
  buildClusterSizesOption,
  buildDistanceHistogramsOption,
  chartedGroups,
  clusterIndices,
  countDrawnPoints,
  smallMultiplesLayout,
} from '../charts/clusterChart'
import { EChart, type RenderInfo } from '../charts/EChart'
import { formatCount, formatPercent, plural } from '../format'
import { NOISE_LABEL, clusterColor, clusterName } from '../palette'
import type { ClusterVisualization } from '../types'

export interface ClusterViewProps {
  viz: ClusterVisualization
  /** Whether all points are asked for (the switch). */
  allPoints: boolean
  /** Whether the payload on screen was requested with all_points=true. */
  showingAllPoints: boolean
  /** A refetch with or without all points is on its way. */
  switching: boolean
  onAllPointsChange: (all: boolean) => void
  onChartRendered?: (info: RenderInfo) => void
}

function ClusterLegend({
  clusters,
  sizes,
  hidden,
  onToggle,
}: {
  clusters: number[]
  sizes: Map<number, number>
  hidden: ReadonlySet<number>
  onToggle: (cluster: number) => void
}) {
  return (
    <ul className="cluster-legend" aria-label="Legend" data-testid="cluster-legend">
      {clusters.map((cluster) => {
        const off = hidden.has(cluster)
        // noise reads "Noise (n)"; a cluster its name, then its count
        const label = cluster === NOISE_LABEL ? `Noise (${formatCount(sizes.get(cluster))})` : clusterName(cluster)
        return (
          <li key={cluster}>
            <button
              type="button"
              className={`legend-item${off ? ' is-off' : ''}`}
              aria-pressed={!off}
              aria-label={label}
              title={off ? `Show ${clusterName(cluster)}` : `Hide ${clusterName(cluster)}`}
              onClick={() => onToggle(cluster)}
              data-testid="legend-item"
            >
              <span className="legend-swatch" style={{ background: clusterColor(cluster) }} aria-hidden="true" />
              <span className="legend-label">{label}</span>
              {sizes.has(cluster) && cluster !== NOISE_LABEL ? (
                <span className="legend-count" aria-hidden="true">
                  {formatCount(sizes.get(cluster))}
                </span>
              ) : null}
            </button>
          </li>
        )
      })}
      <li className="legend-key" aria-hidden="true">
        <span className="key-centroid" /> centroid
        <span className="key-ellipse" /> 2σ ellipse
      </li>
    </ul>
  )
}

/** The clustering results chart, the cluster sizes and the distance histograms. */
export function ClusterView({ viz, allPoints, showingAllPoints, switching, onAllPointsChange, onChartRendered }: ClusterViewProps) {
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set())
  // The side charts wait for the main chart's first paint (they would share its frame otherwise).
  const hasMainChart = !(viz.message && viz.points.x.length === 0)
  const [mainDrawn, setMainDrawn] = useState(false)
  const showSecondary = mainDrawn || !hasMainChart
  const onMainRendered = useCallback(
    (info: RenderInfo) => {
      setMainDrawn(true)
      onChartRendered?.(info)
    },
    [onChartRendered],
  )
  const clusters = useMemo(() => clusterIndices(viz), [viz])
  const groups = useMemo(() => chartedGroups(viz), [viz])
  const noiseCount = viz.noise_count ?? 0
  const sizes = useMemo(
    () => new Map([...viz.cluster_sizes.map((s) => [s.cluster, s.count] as const), [NOISE_LABEL, viz.noise_count ?? 0] as const]),
    [viz],
  )
  const option = useMemo(() => buildClusterChartOption(viz, { hidden }), [viz, hidden])
  const drawn = useMemo(() => countDrawnPoints(option), [option])
  const sizesOption = useMemo(() => buildClusterSizesOption(viz.cluster_sizes), [viz])
  const probability = viz.score_kind === 'probability'
  const layout = useMemo(() => smallMultiplesLayout(viz.distance_histograms.length), [viz])
  const distancesOption = useMemo(() => buildDistanceHistogramsOption(viz.distance_histograms, layout), [viz, layout])
  const toggle = (cluster: number) =>
    setHidden((current) => {
      const next = new Set(current)
      if (next.has(cluster)) next.delete(cluster)
      else next.add(cluster)
      return next
    })

  const ratios = viz.projection?.explained_variance_ratio ?? []
  const features = viz.projection?.features ?? []
  const pointsShown = viz.points.x.length
  const large = pointsShown > LARGE_THRESHOLD
  const largestCluster = Math.max(0, ...viz.cluster_sizes.map((s) => s.count))
  const excluded = viz.n_excluded ?? 0
  const sizesHeight = Math.max(96, Math.min(360, viz.cluster_sizes.length * 34 + 16))

  return (
    <div className="cluster-view" data-testid="cluster-view">
      <div className="cluster-layout">
        <section className="card chart-card" aria-labelledby="cluster-chart-heading">
          <header className="card-header">
            <div>
              <h3 id="cluster-chart-heading">Cluster chart</h3>
              <p className="card-subtitle">
                Rows projected on the first two principal components of {plural(features.length, 'feature')} (min-max
                scaled)
              </p>
            </div>
            {viz.sampled || allPoints || showingAllPoints ? (
              <label className={`switch${switching ? ' is-busy' : ''}`}>
                <input
                  type="checkbox"
                  role="switch"
                  checked={allPoints}
                  onChange={(event) => onAllPointsChange(event.target.checked)}
                />
                <span className="switch-track" aria-hidden="true">
                  <span className="switch-thumb" />
                </span>
                <span>Show all points</span>
              </label>
            ) : null}
          </header>
          <div className="chart-notes">
            <p className="sample-note" data-testid="sample-note">
              {viz.sampled
                ? `Showing ${formatCount(pointsShown)} of ${formatCount(viz.n_points_total)} points (sampled per cluster)`
                : `Showing all ${formatCount(pointsShown)} points`}
              {showingAllPoints && large ? ' · large-data mode' : ''}
              {switching ? (allPoints ? ` · loading all ${formatCount(viz.n_points_total)} points…` : ' · switching to a sample…') : ''}
            </p>
            {viz.projection_rows !== undefined && viz.projection_rows < viz.n_points_total ? (
              <p className="sample-note is-muted" data-testid="projection-note">
                Projection, centroids, ellipses and distance histograms computed from {formatCount(viz.projection_rows)} of{' '}
                {formatCount(viz.n_points_total)} rows (sampled per cluster)
              </p>
            ) : null}
            {excluded > 0 ? (
              <p className="sample-note is-muted">{plural(excluded, 'row')} left out (missing assignment or feature values)</p>
            ) : null}
          </div>
          {!hasMainChart ? (
            <p className="empty-chart" role="status">
              Nothing to chart: {viz.message}.
            </p>
          ) : (
            <>
              <ClusterLegend clusters={groups} sizes={sizes} hidden={hidden} onToggle={toggle} />
              <EChart
                option={option}
                height={470}
                label={`Scatter of ${formatCount(drawn)} points in ${clusters.length} clusters${noiseCount ? ` and ${formatCount(noiseCount)} noise rows (grey)` : ''} on the first two principal components, with centroids and ${viz.ellipses.length} ellipses`}
                testId="cluster-chart"
                className="cluster-chart"
                data={{
                  points: drawn,
                  clusters: clusters.length,
                  noise: noiseCount,
                  ellipses: viz.ellipses.length,
                  'ellipse-source': viz.ellipse_source ?? 'points',
                  centroids: viz.centroids.length,
                  mode: large ? 'large' : 'normal',
                  'all-points': showingAllPoints,
                }}
                onRendered={onMainRendered}
              />
            </>
          )}
        </section>

        <div className="cluster-side">
          <section className="card" aria-labelledby="cluster-sizes-heading">
            <header className="card-header">
              <h3 id="cluster-sizes-heading">Cluster sizes</h3>
            </header>
            {showSecondary ? (
              <EChart
                option={sizesOption}
                height={sizesHeight}
                label={`Cluster sizes: ${viz.cluster_sizes.map((s) => `${clusterName(s.cluster)} ${s.count}`).join(', ')}`}
                testId="cluster-sizes-chart"
                data={{ bars: viz.cluster_sizes.length, largest: largestCluster }}
              />
            ) : (
              <div className="skeleton" style={{ height: sizesHeight }} />
            )}
          </section>
          <section className="card" aria-labelledby="cluster-facts-heading">
            <header className="card-header">
              <h3 id="cluster-facts-heading">Projection</h3>
            </header>
            <dl className="facts facts-compact">
              <div>
                <dt>Clusters</dt>
                <dd>{clusters.length}</dd>
              </div>
              {noiseCount > 0 ? (
                <div data-testid="noise-fact">
                  <dt>Noise rows</dt>
                  <dd>{formatCount(noiseCount)}</dd>
                </div>
              ) : null}
              <div>
                <dt>Rows charted</dt>
                <dd>{formatCount(viz.n_points_total)}</dd>
              </div>
              <div>
                <dt>Variance shown</dt>
                <dd>{ratios.length >= 2 ? formatPercent(ratios[0] + ratios[1]) : '—'}</dd>
              </div>
              <div>
                <dt>Ellipses</dt>
                <dd data-testid="ellipse-source">
                  {viz.ellipse_sigma ?? 2}σ{viz.ellipse_source === 'model' ? ", the model's components" : ''}
                </dd>
              </div>
              <div className="facts-wide">
                <dt>Features</dt>
                <dd className="feature-list" title={features.join(', ')}>
                  {features.length ? features.join(', ') : '—'}
                </dd>
              </div>
            </dl>
          </section>
        </div>
      </div>

      {viz.distance_histograms.length > 0 ? (
        <section className="card" aria-labelledby="distance-heading">
          <header className="card-header">
            <div>
              <h3 id="distance-heading">{probability ? 'Probability of own cluster' : 'Distance to cluster centre'}</h3>
              <p className="card-subtitle">
                {probability
                  ? "How likely each cluster's rows belong to it, by the model's probabilities"
                  : "How far each cluster's rows lie from their own centroid (the model's metric)"}
              </p>
            </div>
          </header>
          {showSecondary ? (
            <EChart
              option={distancesOption}
              height={layout.height}
              label={`Histograms of the ${probability ? 'probability of the own cluster' : 'distance to the own centroid'}, one per cluster (${viz.distance_histograms.length})`}
              testId="distance-histograms"
              data={{ panels: viz.distance_histograms.length }}
            />
          ) : (
            <div className="skeleton" style={{ height: layout.height }} />
          )}
        </section>
      ) : null}
    </div>
  )
}
