import { useEffect, useState } from 'react'
import { getRun, listRuns } from '../../../api/endpoints'
import type { Run } from '../../../api/types'
import { type OutputRef } from '../api'
import { betterSide, compareUrl, getComparison, type RunComparison } from '../compare'
import { formatCount, formatNumber } from '../format'
import { clusterName } from '../palette'
import { ErrorState, useLoad } from '../viewerStates'
import { AgreementTiles, ContingencyHeatmap } from './AgreementCard'

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function ComparisonResult({ outputRef, otherRun }: { outputRef: OutputRef; otherRun: number }) {
  const [load, reload] = useLoad<RunComparison>(compareUrl(outputRef, otherRun), (signal) => getComparison(outputRef, otherRun, signal))
  if (load.state === 'loading') return <div className="skeleton agreement-skeleton" aria-busy="true" aria-label="Comparing the runs" />
  if (load.state === 'error') return <ErrorState error={load.error} onRetry={reload} />
  const result = load.data
  const [a, b] = result.runs
  return (
    <div className="compare-result" data-testid="compare-result">
      <h4>Parameters that differ</h4>
      {result.parameters.length === 0 ? (
        <p className="profile-none">The two runs had the same parameters.</p>
      ) : (
        <table className="profile-table" data-testid="compare-parameters">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Parameter</th>
              <th scope="col">Run {a}</th>
              <th scope="col">Run {b}</th>
            </tr>
          </thead>
          <tbody>
            {result.parameters.map((d) => (
              <tr key={`${d.node_id}.${d.param}`}>
                <td>
                  <code>{d.node_id}</code>
                </td>
                <td>{d.param}</td>
                <td>{shown(d.a)}</td>
                <td>{shown(d.b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Metrics</h4>
      <table className="profile-table" data-testid="compare-metrics">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Run {a}</th>
            <th scope="col">Run {b}</th>
          </tr>
        </thead>
        <tbody>
          {result.metrics.map((metric) => {
            const better = betterSide(metric)
            return (
              <tr key={metric.id}>
                <th scope="row">
                  {metric.name}
                  {metric.better ? <span className="profile-spread">{metric.better === 'higher' ? '↑ higher is better' : '↓ lower is better'}</span> : null}
                </th>
                <td className={better === 'a' ? 'is-better' : undefined}>{formatNumber(metric.a, 4)}</td>
                <td className={better === 'b' ? 'is-better' : undefined}>{formatNumber(metric.b, 4)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <h4>How the assignments agree</h4>
      <AgreementTiles metrics={result.agreement} />
      <p className="card-subtitle">
        {formatCount(result.compared_rows)} of {formatCount(result.n_rows)} rows in a cluster in both runs. Rows: clusters of run {a}; columns: of run {b}.
      </p>
      <ContingencyHeatmap
        clusters={result.clusters_a}
        labels={result.clusters_b.map(String)}
        contingency={result.contingency}
        columnsName={`Run ${b}`}
        labelName={(label) => clusterName(Number(label))}
      />
    </div>
  )
}

/** This result beside the same output of another run of the experiment. */
export function CompareView({ outputRef }: { outputRef: OutputRef }) {
  const [others, setOthers] = useState<Run[] | null>(null)
  const [failed, setFailed] = useState<unknown>(null)
  const [otherRun, setOtherRun] = useState<number | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    getRun(outputRef.runId, controller.signal)
      .then((run) => listRuns(run.experiment_id, controller.signal))
      .then((runs) => {
        const candidates = runs.filter(
          (r) => r.id !== outputRef.runId && r.nodes[outputRef.nodeId]?.status === 'succeeded',
        )
        setOthers(candidates)
        // The run before this one, else the newest other one: the comparison people usually want.
        const before = candidates.find((r) => r.id < outputRef.runId) ?? candidates[0]
        setOtherRun(before ? before.id : null)
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setFailed(error)
      })
    return () => controller.abort()
  }, [outputRef.runId, outputRef.nodeId])
  if (failed) return <ErrorState error={failed} onRetry={() => setFailed(null)} />
  if (others === null) return <div className="skeleton agreement-skeleton" aria-busy="true" aria-label="Loading the run history" />
  return (
    <div className="compare-view" data-testid="compare-view">
      <section className="card" aria-labelledby="compare-heading">
        <header className="card-header">
          <div>
            <h3 id="compare-heading">Compare with another run</h3>
            <p className="card-subtitle">
              Run {outputRef.runId} beside another run of this experiment: what changed, each metric, and how far the clusters
              agree.
            </p>
          </div>
          {others.length ? (
            <label className="agreement-picker">
              Other run
              <select value={otherRun ?? ''} onChange={(event) => setOtherRun(Number(event.target.value))} data-testid="compare-run">
                {others.map((run) => (
                  <option key={run.id} value={run.id}>
                    Run {run.id} · version {run.experiment_version} · {new Date(run.created_at).toLocaleString()}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </header>
        {otherRun === null ? (
          <p className="profile-none">No other run of this experiment has this node's results yet. Change a parameter and run again to compare.</p>
        ) : (
          <ComparisonResult outputRef={outputRef} otherRun={otherRun} />
        )}
      </section>
    </div>
  )
}
