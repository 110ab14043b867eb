import { useMemo, useState } from 'react'
import { EChart, type RenderInfo } from '../charts/EChart'
import { bestFor, buildSweepOption, directionNote, directionOf, sweepMetrics } from '../charts/sweepChart'
import { formatCount, formatNumber } from '../format'
import type { SweepVisualization } from '../types'

export interface SweepViewProps {
  viz: SweepVisualization
  onChartRendered?: (info: RenderInfo) => void
}

/** Sweep results: the chosen metric (or another) against the number of centroids. */
export function SweepView({ viz, onChartRendered }: SweepViewProps) {
  const metrics = useMemo(() => sweepMetrics(viz), [viz])
  const [metric, setMetric] = useState(metrics.includes(viz.metric) ? viz.metric : metrics[0])
  const option = useMemo(() => buildSweepOption(viz, metric), [viz, metric])
  const direction = directionOf(viz, metric)
  const best = bestFor(viz, metric)
  const chosen = bestFor(viz, viz.metric)
  const points = viz.series[metric] ?? []

  return (
    <div className="sweep-view" data-testid="sweep-view">
      <section className="card" aria-labelledby="sweep-chart-heading">
        <header className="card-header">
          <div>
            <h3 id="sweep-chart-heading">{metric} against the number of centroids</h3>
            <p className="card-subtitle">
              {formatCount(viz.n_runs ?? points.reduce((n, p) => n + (p.count ?? p.values.length), 0))} runs swept ·
              the sweep optimised <strong>{viz.metric}</strong>
              {chosen ? ` and chose k = ${chosen.k}` : ''}
            </p>
          </div>
          <div className="metric-picker" role="radiogroup" aria-label="Metric">
            {metrics.map((name) => (
              <label key={name} className={`metric-option${name === metric ? ' is-active' : ''}`}>
                <input type="radio" name="sweep-metric" value={name} checked={name === metric} onChange={() => setMetric(name)} />
                {name}
                {name === viz.metric ? <span className="metric-chosen-mark" title="The metric the sweep optimised">★</span> : null}
              </label>
            ))}
          </div>
        </header>
        <div className="chart-notes">
          <p className={`direction-note is-${direction}`} data-testid="direction-note">
            <span aria-hidden="true">{direction === 'higher' ? '↑' : '↓'}</span> {directionNote(direction)}
          </p>
          {best ? (
            <p className="best-note" data-testid="best-note">
              Best on {metric}: <strong>k = {best.k}</strong> ({formatNumber(best.value)})
            </p>
          ) : (
            <p className="best-note">No finite values for {metric}.</p>
          )}
        </div>
        <EChart
          option={option}
          height={400}
          label={`${metric} for each number of centroids; best k = ${best?.k ?? 'none'}`}
          testId="sweep-chart"
          data={{ metric, 'best-k': best?.k ?? '', ks: points.length }}
          onRendered={onChartRendered}
        />
      </section>
    </div>
  )
}
