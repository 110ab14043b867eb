import { Component, lazy, Suspense, type ComponentType, type ReactNode } from 'react'
import { Dialog } from '../../ui/Dialog'
import { Icon, Spinner } from '../../ui/icons'

export interface OutputViewerProps {
  runId: number
  nodeId: string
  port: string
  portType: string
  onClose?: () => void
  /** "/api/public/<token>" for a read-only link's run (features/visualize's apiBase). */
  apiBase?: string
}

// The visualisations live in features/visualize (charts are big): loaded on first use only, and
// only if that feature is there. import.meta.glob finds it at build time without failing when absent.
const visualizeModules = import.meta.glob<{ OutputViewer: ComponentType<OutputViewerProps> }>('../visualize/index.ts')
const loadVisualize = Object.values(visualizeModules)[0]

const LazyViewer = loadVisualize ? lazy(() => loadVisualize().then((module) => ({ default: module.OutputViewer }))) : null

class ViewerBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null }
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  render() {
    if (this.state.error) {
      return (
        <div className="empty-state" role="alert">
          <p className="empty-state-title">This output could not be shown</p>
          <p>{this.state.error.message}</p>
        </div>
      )
    }
    return this.props.children
  }
}

function Placeholder({ runId, nodeId, port }: OutputViewerProps) {
  return (
    <div className="empty-state output-placeholder" data-testid="output-placeholder">
      <Icon name="chart" size={28} />
      <p className="empty-state-title">Visualisations are on their way</p>
      <p>
        The charts for this output are not part of this build yet. You can still download the table.
      </p>
      <a className="btn btn-small" href={`/api/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/outputs/${encodeURIComponent(port)}/download?format=csv`}>
        <Icon name="download" size={12} /> Download CSV
      </a>
    </div>
  )
}

export function OutputDialog(props: OutputViewerProps & { title: string; subtitle?: string; onClose: () => void }) {
  const { title, subtitle, onClose, ...viewer } = props
  return (
    <Dialog
      size="full"
      ariaLabel={title}
      bare={!!LazyViewer}
      className="output-dialog"
      onClose={onClose}
      title={
        <span className="output-dialog-title">
          {title}
          {subtitle ? <span className="output-dialog-subtitle">{subtitle}</span> : null}
        </span>
      }
    >
      <div className="output-dialog-body" data-testid="output-viewer">
        <ViewerBoundary>
          {LazyViewer ? (
            <Suspense
              fallback={
                <div className="output-loading">
                  <Spinner size={18} label="Loading the viewer" />
                </div>
              }
            >
              <LazyViewer {...viewer} onClose={onClose} />
            </Suspense>
          ) : (
            <Placeholder {...viewer} />
          )}
        </ViewerBoundary>
      </div>
    </Dialog>
  )
}
