import { useEffect, useState } from 'react'
import { errorMessage } from '../../api/client'
import { getNodeLog } from '../../api/endpoints'
import { Dialog } from '../../ui/Dialog'
import { Icon, Spinner } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { formatDuration, type NodeRunView } from './runState'

export function NodeLogDialog({ runId, nodeId, title, run, onClose }: { runId: number; nodeId: string; title: string; run: NodeRunView; onClose: () => void }) {
  const [log, setLog] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    getNodeLog(runId, nodeId, controller.signal).then(setLog, (e: unknown) => {
      if (!controller.signal.aborted) setError(errorMessage(e))
    })
    return () => controller.abort()
  }, [runId, nodeId])

  return (
    <Dialog
      size="large"
      ariaLabel={`Log of ${title}`}
      onClose={onClose}
      title={
        <span className="log-title">
          {title}
          <StatusPill status={run.status} />
          {run.durationMs ? <span className="log-duration">{formatDuration(run.durationMs)}</span> : null}
        </span>
      }
      footer={
        <>
          <button
            type="button"
            className="btn"
            disabled={!log}
            onClick={() => {
              if (log) void navigator.clipboard?.writeText(log)
            }}
          >
            <Icon name="copy" size={12} /> Copy log
          </button>
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      {run.error ? (
        <div className="log-error" role="alert">
          <span className="run-card-code">{run.error.code}</span>
          <span>{run.error.message}</span>
        </div>
      ) : null}
      {error ? (
        <p className="field-error">The log could not be loaded: {error}</p>
      ) : log === null ? (
        <div className="output-loading">
          <Spinner size={16} label="Loading the log" />
        </div>
      ) : (
        <pre className="log-text" data-testid="node-log">
          {log || '(This module wrote nothing to its log.)'}
        </pre>
      )}
    </Dialog>
  )
}
