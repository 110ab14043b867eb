import { Icon } from '../../ui/icons'
import { StatusPill, statusLabel } from '../../ui/StatusPill'
import { formatDuration, summariseRun, type RunView } from './runState'
import './runs.css'

function elapsed(run: RunView): number | null {
  if (!run.startedAt || !run.finishedAt) return null
  const ms = Date.parse(run.finishedAt.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(run.finishedAt) ? run.finishedAt : `${run.finishedAt}Z`) -
    Date.parse(run.startedAt.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(run.startedAt) ? run.startedAt : `${run.startedAt}Z`)
  return Number.isFinite(ms) ? ms : null
}

/** The overall status of the run on show, over the canvas. */
export function RunBar({ run, onDismiss }: { run: RunView; onDismiss: () => void }) {
  const summary = summariseRun(run)
  const active = run.status === 'queued' || run.status === 'running'
  const took = elapsed(run)
  let text: React.ReactNode
  if (active) {
    text = (
      <>
        <strong>Run #{run.id}</strong> · {summary.done} of {summary.total} module{summary.total === 1 ? '' : 's'} done
      </>
    )
  } else {
    const parts = [`${summary.done} of ${summary.total} done`]
    if (summary.cached) parts.push(`${summary.cached} cached`)
    if (summary.failed) parts.push(`${summary.failed} failed`)
    if (took !== null) parts.push(formatDuration(took))
    text = (
      <>
        <strong>Run #{run.id}</strong> {statusLabel(run.status).toLowerCase()} · {parts.join(' · ')}
      </>
    )
  }
  return (
    <div className="run-bar" role="status" aria-label="Run status" data-testid="run-status" data-run-status={run.status}>
      <StatusPill status={run.status} />
      <span className="run-bar-text">{text}</span>
      {active ? (
        <span className="progress run-bar-progress" aria-hidden="true">
          <span className="progress-bar" style={{ width: `${summary.total ? Math.max(6, (summary.done / summary.total) * 100) : 6}%` }} />
        </span>
      ) : (
        <button type="button" className="icon-btn" aria-label="Hide run status" onClick={onDismiss}>
          <Icon name="x" size={11} />
        </button>
      )}
    </div>
  )
}
