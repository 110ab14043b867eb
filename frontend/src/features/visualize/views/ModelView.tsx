import { useMemo, useState, type ReactNode } from 'react'
import { buildClusterSizesOption } from '../charts/clusterChart'
import { EChart, type RenderInfo } from '../charts/EChart'
import { buildCentroidHeatmapOption, originalUnits } from '../charts/modelCharts'
import { formatCount, formatNumber, formatSeconds, humanize } from '../format'
import { clusterColor, clusterName } from '../palette'
import { hasCentroids, type ModelWithCentroids, type TrainedModelSummary, type UntrainedModelSummary } from '../types'
import { Dendrogram } from './Dendrogram'

function Fact({ name, children, testId }: { name: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  )
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'number') return formatNumber(value, 6)
  if (Array.isArray(value)) return value.map(describe).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const PARAMETER_NAMES: Record<string, string> = {
  trainer_mode: 'Create trainer mode',
  n_clusters: 'Number of Centroids',
  n_clusters_range: 'Range for Number of Centroids',
  init: 'Initialization',
  init_sweep: 'Initialization for sweep',
  seed: 'Random number seed',
  n_seeds: 'Number of seeds to sweep',
  metric: 'Metric',
  normalize: 'Normalize features',
  iterations: 'Iterations',
  tol: 'Tolerance',
  n_init: 'Number of restarts',
  float32: 'Use 32-bit floats',
  assign_label_mode: 'Assign label mode',
}

const NOT_PARAMETERS = new Set(['type', 'kind', 'algorithm', 'algorithm_name'])

/** The parameters of a configuration as a definition list (display names from the spec). */
export function ParameterList({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params).filter(([key]) => !NOT_PARAMETERS.has(key))
  return (
    <dl className="param-list" data-testid="parameter-list">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{PARAMETER_NAMES[key] ?? humanize(key)}</dt>
          <dd>{key === 'seed' && (value === null || value === undefined) ? 'Random (drawn at training)' : describe(value)}</dd>
        </div>
      ))}
    </dl>
  )
}

/** A trained model: training facts, cluster sizes, the centroids when the model offers them, parameters. */
export function TrainedModelView({ model, onChartRendered }: { model: TrainedModelSummary; onChartRendered?: (info: RenderInfo) => void }) {
  const sizes = useMemo(
    () => buildClusterSizesOption(model.cluster_sizes.map((count, cluster) => ({ cluster, count }))),
    [model],
  )
  const k = model.k ?? model.cluster_sizes.length
  // Facts an algorithm without them (no seed, no initialisation, no iterations: e.g. a merge tree) leaves out.
  const hasSeed = model.parameters === undefined || 'seed' in model.parameters
  const init = model.init ?? model.parameters?.init
  const iterations =
    model.iterations_run !== undefined
      ? `${formatCount(model.iterations_run)}${model.iterations !== undefined ? ` of ${formatCount(model.iterations)}` : ''}`
      : '—'
  const sizesCard = (
    <section className="card" aria-labelledby="model-sizes-heading">
      <header className="card-header">
        <h3 id="model-sizes-heading">Cluster sizes</h3>
      </header>
      <EChart
        option={sizes}
        height={Math.max(96, Math.min(360, k * 34 + 16))}
        label={`Training rows per cluster: ${model.cluster_sizes.map((n, i) => `${clusterName(i)} ${n}`).join(', ')}`}
        testId="model-sizes-chart"
        data={{ bars: model.cluster_sizes.length }}
        onRendered={hasCentroids(model) ? undefined : onChartRendered}
      />
    </section>
  )

  return (
    <div className="model-view" data-testid="model-view">
      <section className="card" aria-labelledby="model-facts-heading">
        <header className="card-header">
          <h3 id="model-facts-heading">Training{model.algorithm_name ? ` · ${model.algorithm_name}` : ''}</h3>
        </header>
        <dl className="facts facts-grid">
          <Fact name="Clusters (k)">{k}</Fact>
          {model.noise_count !== undefined ? (
            <Fact name="Noise rows" testId="model-noise">
              {formatCount(model.noise_count)}
            </Fact>
          ) : null}
          {model.metric ? <Fact name="Metric">{humanize(model.metric)}</Fact> : null}
          <Fact name="Normalize features">{model.normalize ? 'Yes (min-max)' : 'No'}</Fact>
          {init !== undefined ? <Fact name="Initialization">{init}</Fact> : null}
          {hasSeed ? (
            <Fact name="Seed used" testId="model-seed">
              {describe(model.seed)}
            </Fact>
          ) : null}
          {model.iterations_run !== undefined ? (
            <Fact name="Iterations run">
              {iterations}
              {model.converged !== undefined ? (
                <span className={`pill ${model.converged ? 'is-ok' : 'is-warn'}`}>{model.converged ? 'converged' : 'not converged'}</span>
              ) : null}
            </Fact>
          ) : null}
          <Fact name="Training time">{formatSeconds(model.training_seconds)}</Fact>
          <Fact name="Training rows">{formatCount(model.n_training_rows)}</Fact>
          {model.inertia !== undefined ? <Fact name="Inertia">{formatNumber(model.inertia)}</Fact> : null}
          {model.label_column ? <Fact name="Label column">{model.label_column}</Fact> : null}
        </dl>
      </section>

      {hasCentroids(model) ? (
        <CentroidSections model={model} k={k} sizesCard={sizesCard} onChartRendered={onChartRendered} />
      ) : (
        sizesCard
      )}

      {model.dendrogram ? (
        <section className="card" aria-labelledby="dendrogram-heading">
          <header className="card-header">
            <div>
              <h3 id="dendrogram-heading">Dendrogram</h3>
              <p className="card-subtitle">How the training rows merged, nearest first; the dashed line is where the tree is cut into clusters</p>
            </div>
          </header>
          <Dendrogram view={model.dendrogram} />
        </section>
      ) : null}

      {model.parameters ? (
        <section className="card" aria-labelledby="params-heading">
          <header className="card-header">
            <h3 id="params-heading">Parameters used</h3>
          </header>
          <ParameterList params={hasSeed ? { ...model.parameters, seed: model.parameters.seed ?? null } : model.parameters} />
          {hasSeed && (model.parameters.seed === null || model.parameters.seed === undefined) ? (
            <p className="stats-note">No seed was set: the seed drawn at training time was {describe(model.seed)}.</p>
          ) : null}
        </section>
      ) : null}
    </div>
  )
}

/** What a model with cluster centres adds: the centroid heat map (beside the sizes) and the centroid table. */
function CentroidSections({
  model,
  k,
  sizesCard,
  onChartRendered,
}: {
  model: ModelWithCentroids
  k: number
  sizesCard: ReactNode
  onChartRendered?: (info: RenderInfo) => void
}) {
  const heatmap = useMemo(() => buildCentroidHeatmapOption(model), [model])
  const canShowOriginal = model.normalize && !!model.normalization
  const [units, setUnits] = useState<'model' | 'original'>('model')
  const table = units === 'original' && canShowOriginal ? originalUnits(model) : model.centroids
  const heatHeight = Math.max(150, Math.min(520, k * 46 + (model.features.length > 6 ? 110 : 50)))
  return (
    <>
      <div className="model-layout">
        <section className="card" aria-labelledby="heatmap-heading">
          <header className="card-header">
            <div>
              <h3 id="heatmap-heading">Centroids</h3>
              <p className="card-subtitle">
                {model.normalize
                  ? 'Each centroid in the normalised feature space (0 = training minimum, 1 = maximum)'
                  : 'Colour: each feature scaled over the centroids; labels: centroid values'}
              </p>
            </div>
          </header>
          <EChart
            option={heatmap}
            height={heatHeight}
            label={`Heat map of ${k} centroids over ${model.features.length} features`}
            testId="centroid-heatmap"
            data={{ clusters: k, features: model.features.length }}
            onRendered={onChartRendered}
          />
        </section>
        {sizesCard}
      </div>

      <section className="card" aria-labelledby="centroid-table-heading">
        <header className="card-header">
          <h3 id="centroid-table-heading">Centroid table</h3>
          {canShowOriginal ? (
            <div className="segmented" role="group" aria-label="Units">
              <button type="button" aria-pressed={units === 'model'} onClick={() => setUnits('model')}>
                Normalised
              </button>
              <button type="button" aria-pressed={units === 'original'} onClick={() => setUnits('original')}>
                Original units
              </button>
            </div>
          ) : null}
        </header>
        <div className="centroid-table-wrap">
          <table className="centroid-table" data-testid="centroid-table">
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col" className="is-number">
                  Rows
                </th>
                {model.features.map((feature) => (
                  <th key={feature} scope="col" className="is-number" title={feature}>
                    {feature}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.map((row, i) => (
                <tr key={i}>
                  <th scope="row">
                    <span className="legend-swatch" style={{ background: clusterColor(i) }} aria-hidden="true" />
                    {clusterName(i)}
                  </th>
                  <td className="is-number">{formatCount(model.cluster_sizes[i])}</td>
                  {row.map((value, j) => (
                    <td key={j} className="is-number">
                      {formatNumber(value, 5)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  )
}

/** An untrained model: the configuration that Train or Sweep Clustering will use. */
export function UntrainedModelView({ model }: { model: UntrainedModelSummary }) {
  return (
    <div className="model-view" data-testid="untrained-model-view">
      <section className="card" aria-labelledby="untrained-heading">
        <header className="card-header">
          <div>
            <h3 id="untrained-heading">{model.algorithm_name ?? 'Clustering'} configuration</h3>
            <p className="card-subtitle">An untrained model: connect it to Train Clustering Model or Sweep Clustering.</p>
          </div>
        </header>
        <ParameterList params={model} />
      </section>
    </div>
  )
}
