import { Icon, Spinner } from '../../ui/icons'
import { RunBar } from '../runs/RunBar'
import type { RunView } from '../runs/runState'
import type { LoadState } from './useExperiment'
import type { ViewedRun } from './useViewedRun'

/** What the canvas shows over the graph: loading, a load error, the viewed run's banner or the run bar. */
export function CanvasOverlays({
  loadState,
  loadError,
  onRetry,
  viewing,
  canRestore,
  onRestore,
  onBackToDraft,
  currentRun,
  runBarHidden,
  onHideRunBar,
}: {
  loadState: LoadState
  loadError: string | null
  onRetry: () => void
  viewing: ViewedRun | null
  canRestore: boolean
  onRestore: () => void
  onBackToDraft: () => void
  currentRun: RunView | null
  runBarHidden: boolean
  onHideRunBar: () => void
}) {
  return (
    <>
      {loadState === 'loading' ? (
        <div className="canvas-loading">
          <Spinner size={20} label="Loading the experiment" />
        </div>
      ) : null}
      {loadState === 'error' ? (
        <div className="canvas-loading" role="alert">
          <div className="canvas-empty-card">
            <p className="canvas-empty-title">The experiment could not be loaded</p>
            <p className="canvas-empty-text">{loadError}</p>
            <button type="button" className="btn btn-small" onClick={onRetry}>
              Try again
            </button>
          </div>
        </div>
      ) : null}
      {viewing ? (
        <div className="readonly-banner" role="status" data-testid="readonly-banner">
          <Icon name="eye" />
          <span>
            Run #{viewing.run.id} · version {viewing.version} · read-only
          </span>
          <button type="button" className="btn btn-small btn-primary" onClick={onRestore} disabled={!canRestore}>
            <Icon name="restore" size={12} />
            Restore this version
          </button>
          <button type="button" className="btn btn-small" onClick={onBackToDraft}>
            Back to draft
          </button>
        </div>
      ) : currentRun && !runBarHidden ? (
        <RunBar run={currentRun} onDismiss={onHideRunBar} />
      ) : null}
    </>
  )
}

/** The empty canvas of an experiment: how to start. */
export function CanvasEmptyState() {
  return (
    <div className="canvas-empty-card">
      <svg viewBox="0 0 48 48" width="40" height="40" aria-hidden="true">
        <rect x="4" y="6" width="18" height="10" rx="3" className="ce-a" />
        <rect x="26" y="32" width="18" height="10" rx="3" className="ce-b" />
        <path d="M13 16 v8 a4 4 0 0 0 4 4 h14 a4 4 0 0 1 4 4" className="ce-line" />
      </svg>
      <p className="canvas-empty-title">Start building your experiment</p>
      <p className="canvas-empty-text">Drag a dataset and modules from the palette onto the canvas, then connect outputs (bottom) to inputs (top).</p>
    </div>
  )
}

/** Shown while files from the desktop are dragged over the editor. */
export function FileDropOverlay() {
  return (
    <div className="file-drop-overlay" aria-hidden="true">
      <div className="file-drop-card">
        <Icon name="upload" size={26} />
        <p>Drop to upload as a dataset</p>
        <span>CSV, TSV or Parquet</span>
      </div>
    </div>
  )
}
