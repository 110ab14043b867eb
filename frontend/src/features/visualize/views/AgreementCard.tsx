import { useId, useState } from 'react'
import { type OutputRef } from '../api'
import { formatCount, formatNumber } from '../format'
import { clusterColor, clusterName, withAlpha } from '../palette'
import { agreementUrl, getAgreement, type LabelAgreement } from '../profile'
import { ErrorState, useLoad } from '../viewerStates'

export interface AgreementCardProps {
  outputRef: OutputRef
  /** Columns that may hold known labels, the likeliest (text) first. */
  candidates: string[]
}

function leftOutNote(result: LabelAgreement): string | null {
  const parts = [
    result.left_out.missing_assignment ? `${formatCount(result.left_out.missing_assignment)} without a cluster` : '',
    result.left_out.noise ? `${formatCount(result.left_out.noise)} noise` : '',
    result.left_out.missing_label ? `${formatCount(result.left_out.missing_label)} without a label` : '',
  ].filter(Boolean)
  return parts.length ? `Left out: ${parts.join(', ')}.` : null
}

export interface ContingencyProps {
  clusters: number[]
  /** The other labelling's values (columns). */
  labels: string[]
  contingency: number[][]
  /** What the columns are, e.g. the label column's name or "Run 12". */
  columnsName: string
  /** How a column's value is shown (default: as it is). */
  labelName?: (label: string) => string
}

/** The clusters × labels counts, each cell shaded by its share of the cluster's rows. */
export function ContingencyHeatmap({ clusters, labels, contingency, columnsName, labelName = (l) => l }: ContingencyProps) {
  return (
    <div className="profile-table-wrap">
      <table className="contingency-table" data-testid="contingency-table">
        <caption className="visually-hidden">Rows of each cluster with each value of {columnsName}</caption>
        <thead>
          <tr>
            <th scope="col">Cluster \ {columnsName}</th>
            {labels.map((label) => (
              <th scope="col" key={label}>
                {labelName(label)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {clusters.map((cluster, i) => {
            const row = contingency[i]
            const total = row.reduce((a, b) => a + b, 0) || 1
            return (
              <tr key={cluster}>
                <th scope="row">
                  <span className="legend-swatch" style={{ background: clusterColor(cluster) }} aria-hidden="true" />
                  {clusterName(cluster)}
                </th>
                {row.map((count, j) => (
                  <td
                    key={labels[j]}
                    style={{ background: withAlpha(clusterColor(cluster), 0.08 + 0.72 * (count / total)) }}
                    className={count / total > 0.55 ? 'is-strong' : undefined}
                    title={`${clusterName(cluster)} · ${labelName(labels[j])}: ${formatCount(count)} of ${formatCount(total)} rows`}
                  >
                    {formatCount(count)}
                  </td>
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** Agreement scores as tiles: name, value (1 is a perfect match), what it measures. */
export function AgreementTiles({ metrics }: { metrics: LabelAgreement['metrics'] }) {
  return (
    <dl className="agreement-metrics" data-testid="agreement-metrics">
      {metrics.map((metric) => (
        <div key={metric.id} className="agreement-metric" title={metric.description}>
          <dt>{metric.name}</dt>
          <dd>{formatNumber(metric.value, 3)}</dd>
          <dd className="agreement-description">{metric.description}</dd>
        </div>
      ))}
    </dl>
  )
}

function AgreementResult({ outputRef, label }: { outputRef: OutputRef; label: string }) {
  const [load, reload] = useLoad<LabelAgreement>(agreementUrl(outputRef, label), (signal) => getAgreement(outputRef, label, signal))
  if (load.state === 'loading') return <div className="skeleton agreement-skeleton" aria-busy="true" aria-label="Comparing" />
  if (load.state === 'error') return <ErrorState error={load.error} onRetry={reload} />
  const result = load.data
  const note = leftOutNote(result)
  return (
    <>
      <AgreementTiles metrics={result.metrics} />
      <p className="card-subtitle">
        {formatCount(result.compared_rows)} rows compared. {note}
      </p>
      <ContingencyHeatmap clusters={result.clusters} labels={result.labels} contingency={result.contingency} columnsName={result.label_column} />
    </>
  )
}

/** External validation: how the clusters agree with a column of labels the user already has. */
export function AgreementCard({ outputRef, candidates }: AgreementCardProps) {
  const [label, setLabel] = useState('')
  const selectId = useId()
  return (
    <section className="card" aria-labelledby={`${selectId}-heading`} data-testid="agreement-card">
      <header className="card-header">
        <div>
          <h3 id={`${selectId}-heading`}>Agreement with known labels</h3>
          <p className="card-subtitle">
            If a column holds labels you already trust, see how the clusters match them: 1 is a perfect match.
          </p>
        </div>
        <label className="agreement-picker" htmlFor={selectId}>
          Label column
          <select id={selectId} value={label} onChange={(event) => setLabel(event.target.value)} data-testid="agreement-label">
            <option value="">Choose a column…</option>
            {candidates.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </header>
      {label ? <AgreementResult outputRef={outputRef} label={label} /> : null}
    </section>
  )
}
