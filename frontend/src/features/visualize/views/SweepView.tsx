import { useMemo, useState } from 'react'
import { EChart, type RenderInfo } from '../charts/EChart'
import { bestFor, buildSweepOption, directionNote, directionOf, K_AXIS, sweepMetrics, sweepXOptions } from '../charts/sweepChart'
import { buildElbowOption, buildStabilityOption, elbowMarks } from '../charts/sweepElbowChart'
import { formatCount, formatNumber } from '../format'
import type { SweepVisualization } from '../types'

export interface SweepViewProps {
  viz: SweepVisualization
  onChartRendered?: (info: RenderInfo) => void
}

/** Sweep results: the chosen metric (or another) against the number of centroids or a swept parameter,
 * beside the elbow curve with its knee, and the seeds' agreement per k when several seeds ran. */
export function SweepView({ viz, onChartRendered }: SweepViewProps) {
  const metrics = useMemo(() => sweepMetrics(viz), [viz])
  const xOptions = useMemo(() => sweepXOptions(viz), [viz])
  const [metric, setMetric] = useState(metrics.includes(viz.metric) ? viz.metric : metrics[0])
  const [x, setX] = useState(K_AXIS)
  const option = useMemo(() => buildSweepOption(viz, metric, x), [viz, metric, x])
  const elbowOption = useMemo(() => (viz.elbow ? buildElbowOption(viz) : null), [viz])
  const stabilityOption = useMemo(() => (viz.stability ? buildStabilityOption(viz) : null), [viz])
  const direction = directionOf(viz, metric)
  const best = bestFor(viz, metric)
  const chosen = bestFor(viz, viz.metric)
  const points = viz.series[metric] ?? []
  const xName = x === K_AXIS ? 'the number of centroids' : x
  const marks = elbowMarks(viz)

  return (
    <div className="sweep-view" data-testid="sweep-view">
      <section className="card" aria-labelledby="sweep-chart-heading">
        <header className="card-header">
          <div>
            <h3 id="sweep-chart-heading">
              {metric} against {xName}
            </h3>
            <p className="card-subtitle">
              {formatCount(viz.n_runs ?? points.reduce((n, p) => n + (p.count ?? p.values.length), 0))} runs swept ·
              the sweep optimised <strong>{viz.metric}</strong>
              {chosen ? ` and chose k = ${chosen.k}` : ''}
            </p>
          </div>
          <div className="sweep-pickers">
            <div className="metric-picker" role="radiogroup" aria-label="Metric">
              {metrics.map((name) => (
                <label key={name} className={`metric-option${name === metric ? ' is-active' : ''}`}>
                  <input type="radio" name="sweep-metric" value={name} checked={name === metric} onChange={() => setMetric(name)} />
                  {name}
                  {name === viz.metric ? <span className="metric-chosen-mark" title="The metric the sweep optimised">★</span> : null}
                </label>
              ))}
            </div>
            {xOptions.length > 1 ? (
              <label className="sweep-x-picker">
                Plot against{' '}
                <select value={x} onChange={(event) => setX(event.target.value)} data-testid="sweep-x">
                  {xOptions.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
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
        <div className={`sweep-charts${elbowOption ? ' has-elbow' : ''}`}>
          <EChart
            option={option}
            height={400}
            label={`${metric} for each value of ${xName}; best k = ${best?.k ?? 'none'}`}
            testId="sweep-chart"
            data={{ metric, x, 'best-k': best?.k ?? '', ks: points.length }}
            onRendered={onChartRendered}
          />
          {elbowOption ? (
            <figure className="sweep-elbow" aria-labelledby="sweep-elbow-heading">
              <figcaption id="sweep-elbow-heading">
                <strong>Elbow</strong> · inertia against k
                {marks.knee !== null ? (
                  <span data-testid="knee-note">
                    {' '}
                    · knee at <strong>k = {marks.knee}</strong>
                  </span>
                ) : (
                  <span data-testid="knee-note"> · no knee found</span>
                )}
              </figcaption>
              <EChart
                option={elbowOption}
                height={372}
                label={`Inertia for each number of centroids; knee k = ${marks.knee ?? 'none'}, best k = ${marks.best ?? 'none'}`}
                testId="elbow-chart"
                data={{ knee: marks.knee ?? '', 'best-k': marks.best ?? '', ks: viz.elbow?.points.length ?? 0 }}
              />
            </figure>
          ) : null}
        </div>
        {viz.elbow ? <p className="chart-footnote">Knee: {viz.elbow.method}.</p> : null}
      </section>
      {stabilityOption ? (
        <section className="card" aria-labelledby="sweep-stability-heading">
          <header className="card-header">
            <div>
              <h3 id="sweep-stability-heading">How reproducible is each k?</h3>
              <p className="card-subtitle">
                Mean adjusted Rand index between the clusterings of every two seeds of a configuration (1: every seed found
                the same clusters)
              </p>
            </div>
          </header>
          <EChart
            option={stabilityOption}
            height={240}
            label="Mean pairwise adjusted Rand index across seeds for each number of centroids"
            testId="stability-chart"
            data={{ ks: viz.stability?.points.length ?? 0 }}
          />
        </section>
      ) : null}
    </div>
  )
}
