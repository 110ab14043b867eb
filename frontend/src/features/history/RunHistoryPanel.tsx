import { useEffect, useState } from 'react'
import { errorMessage } from '../../api/client'
import { listRuns } from '../../api/endpoints'
import type { Run } from '../../api/types'
import { Spinner } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { absoluteTime, relativeTime } from '../../ui/time'
import { formatDuration, nodeStatus } from '../runs/runState'
import '../runs/runs.css'

function took(run: Run): string {
  if (!run.started_at || !run.finished_at) return ''
  const ms = new Date(`${run.finished_at}${/Z|[+-]\d\d:?\d\d$/.test(run.finished_at) ? '' : 'Z'}`).getTime() - new Date(`${run.started_at}${/Z|[+-]\d\d:?\d\d$/.test(run.started_at) ? '' : 'Z'}`).getTime()
  return Number.isFinite(ms) ? formatDuration(ms) : ''
}

/** Past runs of the experiment, newest first; opening one shows it read-only with its outputs. */
export function RunHistoryPanel({
  experimentId,
  refreshKey,
  openRunId,
  onOpen,
}: {
  experimentId: number
  refreshKey: number
  openRunId: number | null
  onOpen: (run: Run) => void
}) {
  const [runs, setRuns] = useState<Run[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    listRuns(experimentId, controller.signal).then(
      (list) => {
        setRuns(list)
        setError(null)
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(e))
      },
    )
    return () => controller.abort()
  }, [experimentId, refreshKey])

  if (error) return <p className="field-error history-error">Run history could not be loaded: {error}</p>
  if (runs === null) {
    return (
      <div className="output-loading">
        <Spinner size={16} label="Loading runs" />
      </div>
    )
  }
  if (runs.length === 0) {
    return (
      <div className="properties-empty">
        <p className="properties-empty-title">No runs yet</p>
        <p className="properties-empty-text">Press Run: every run is listed here, and you can open any of them later with its outputs.</p>
      </div>
    )
  }
  return (
    <ul className="history-list" aria-label="Run history">
      {runs.map((run) => {
        const nodes = Object.values(run.nodes ?? {})
        const cached = nodes.filter((n) => nodeStatus(n.status, n.cached) === 'cached').length
        const failed = nodes.find((n) => n.status === 'failed')
        const time = took(run)
        return (
          <li key={run.id}>
            <button
              type="button"
              className={`history-item${openRunId === run.id ? ' is-open' : ''}`}
              aria-label={`Open run ${run.id}`}
              aria-current={openRunId === run.id ? 'true' : undefined}
              onClick={() => onOpen(run)}
            >
              <span className="history-item-head">
                <span className="history-item-title">Run #{run.id}</span>
                <StatusPill status={run.status} />
              </span>
              <span className="history-item-meta" title={absoluteTime(run.created_at)}>
                {relativeTime(run.created_at)} · version {run.experiment_version}
                {time ? ` · ${time}` : ''}
              </span>
              <span className="history-item-meta">
                {nodes.length} module{nodes.length === 1 ? '' : 's'}
                {run.requested_nodes?.length ? ' (selected)' : ''}
                {cached ? ` · ${cached} cached` : ''}
                {failed?.error ? ` · ${failed.error.code} ${failed.error.message}` : ''}
              </span>
            </button>
          </li>
        )
      })}
    </ul>
  )
}
