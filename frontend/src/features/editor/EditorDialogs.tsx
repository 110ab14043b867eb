import type { Dataset, Graph, ModuleSpec, ValidationResult } from '../../api/types'
import { Dialog } from '../../ui/Dialog'
import { Icon, Spinner } from '../../ui/icons'
import { shortMessage } from '../validation/mapIssues'

export function ConflictDialog({
  message,
  busy,
  onReload,
  onSaveCopy,
  onClose,
}: {
  message: string
  busy: boolean
  onReload: () => void
  onSaveCopy: () => void
  onClose: () => void
}) {
  return (
    <Dialog
      title="Someone saved first"
      tone="warning"
      size="small"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="btn" onClick={onReload} disabled={busy}>
            Reload
          </button>
          <button type="button" className="btn btn-primary" onClick={onSaveCopy} disabled={busy} data-autofocus>
            {busy ? <Spinner size={12} /> : null}
            Save as a copy
          </button>
        </>
      }
    >
      <p>{message}</p>
      <p>
        <strong>Reload</strong> shows their version and drops your changes. <strong>Save as a copy</strong> keeps your
        changes in a new experiment.
      </p>
    </Dialog>
  )
}

export function LeaveDialog({ onStay, onLeave, onSaveAndLeave, saving }: { onStay: () => void; onLeave: () => void; onSaveAndLeave: () => void; saving: boolean }) {
  return (
    <Dialog
      title="Leave without saving?"
      tone="warning"
      size="small"
      onClose={onStay}
      footer={
        <>
          <button type="button" className="btn" onClick={onStay} data-autofocus>
            Stay
          </button>
          <button type="button" className="btn" onClick={onLeave}>
            Discard changes
          </button>
          <button type="button" className="btn btn-primary" onClick={onSaveAndLeave} disabled={saving}>
            {saving ? <Spinner size={12} /> : null}
            Save and leave
          </button>
        </>
      }
    >
      <p>This experiment has changes that are not saved.</p>
    </Dialog>
  )
}

export interface ImportCandidate {
  fileName: string
  graph: Graph
  result: ValidationResult | null
  error: string | null
}

export function ImportDialog({
  candidate,
  specOf,
  onImport,
  onClose,
}: {
  candidate: ImportCandidate
  specOf: (id: string) => ModuleSpec | undefined
  onImport: () => void
  onClose: () => void
}) {
  const { graph, result, error, fileName } = candidate
  const nodeName = (id: string | null | undefined) => {
    const node = graph.nodes.find((n) => n.id === id)
    return node ? (specOf(node.module)?.name ?? node.module) : null
  }
  const problems = result ? [...result.errors.map((i) => ({ ...i, severity: 'error' })), ...result.warnings.map((i) => ({ ...i, severity: 'warning' }))] : []
  const unknown = [...new Set(graph.nodes.filter((n) => !specOf(n.module)).map((n) => n.module))]
  return (
    <Dialog
      title={`Import “${fileName}”`}
      size="medium"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={onImport} disabled={graph.nodes.length === 0}>
            {problems.some((p) => p.severity === 'error') ? 'Import anyway' : 'Replace the graph'}
          </button>
        </>
      }
    >
      <p>
        {graph.nodes.length} module{graph.nodes.length === 1 ? '' : 's'} and {graph.edges.length} connection
        {graph.edges.length === 1 ? '' : 's'}. Importing replaces the canvas (you can undo it).
      </p>
      {unknown.length ? <p className="field-warning">Modules this server does not know: {unknown.join(', ')}</p> : null}
      {error ? (
        <p className="field-error">The graph could not be checked: {error}</p>
      ) : result === null ? (
        <p className="import-checking">
          <Spinner size={12} /> Checking the graph…
        </p>
      ) : problems.length === 0 ? (
        <p className="properties-ok import-ok">
          <Icon name="check" size={12} /> The server checked the graph: no problems.
        </p>
      ) : (
        <>
          <p className="import-problems-title">
            The server found {result.errors.length} problem{result.errors.length === 1 ? '' : 's'}
            {result.warnings.length ? ` and ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''}:
          </p>
          <ul className="issue-list" aria-label="Problems in the imported graph">
            {problems.map((issue, index) => (
              <li key={index} className={`issue is-${issue.severity}`}>
                <span className="issue-code">{issue.code}</span>
                <span className="issue-message">
                  {nodeName(issue.node_id) ? <strong>{nodeName(issue.node_id)}: </strong> : null}
                  {nodeName(issue.node_id) ? shortMessage(issue.message) : issue.message}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Dialog>
  )
}

/** Asks before deleting one of the user's uploaded datasets. */
export function DeleteDatasetDialog({ dataset, onDelete, onClose }: { dataset: Dataset; onDelete: () => void; onClose: () => void }) {
  return (
    <Dialog
      title={`Delete dataset “${dataset.name}”?`}
      tone="danger"
      size="small"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" onClick={onDelete}>
            Delete dataset
          </button>
        </>
      }
    >
      <p>The uploaded file is removed. Experiments that use it can no longer run.</p>
    </Dialog>
  )
}
