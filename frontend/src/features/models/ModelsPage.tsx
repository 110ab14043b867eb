import { useMemo, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { errorMessage } from '../../api/client'
import type { SavedModel } from '../../api/models'
import { announceModelsChanged, useModels } from '../../app/apiResources'
import { Header } from '../../app/Header'
import { Icon, Spinner } from '../../ui/icons'
import { Menu } from '../../ui/Menu'
import { absoluteTime, formatBytes, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'
import { matchesModel } from '../palette/PaletteModels'
import { keysState } from '../services/shownKeys'
import { DeleteModelDialog, DeployDialog, EditModelDialog, ExportProblemDialog, ImportModelDialog } from './ModelDialogs'
import { downloadModelExport, EXPORT_FORMATS } from './modelExport'
import '../experiments/experiments.css'
import '../sharing/sharing.css'
import './models.css'

const SHOWN_COLUMNS = 4

type Dialog =
  | { kind: 'edit' | 'delete' | 'deploy'; model: SavedModel }
  | { kind: 'import' }
  | { kind: 'export-problem'; title: string; message: string }
  | null

function ColumnChips({ model }: { model: SavedModel }) {
  const columns = model.feature_columns
  return (
    <span className="model-columns" title={columns.map((c) => `${c.name} (${c.kind})`).join('\n')}>
      {columns.slice(0, SHOWN_COLUMNS).map((c) => (
        <span key={c.name} className="model-column">
          {c.name}
        </span>
      ))}
      {columns.length > SHOWN_COLUMNS ? <span className="model-column is-more">+{columns.length - SHOWN_COLUMNS}</span> : null}
    </span>
  )
}

function ModelSourceLink({ model }: { model: SavedModel }) {
  if (!model.source) return <span className="model-source">Imported</span>
  const { experiment_id: experimentId, run_id: runId, node_id: nodeId } = model.source
  if (experimentId === null) return <span className="model-source">Saved from run {runId}</span>
  return (
    <Link className="model-source" to={`/experiments/${experimentId}`} title={`Trained by node ${nodeId} in run ${runId} of experiment ${experimentId}`}>
      Experiment {experimentId} · run {runId}
    </Link>
  )
}

function EmptyModels({ onImport }: { onImport: () => void }) {
  return (
    <div className="empty-state experiments-empty">
      <svg viewBox="0 0 120 80" width="140" height="94" aria-hidden="true" className="models-empty-art">
        <circle cx="34" cy="30" r="9" className="a" />
        <circle cx="72" cy="22" r="6" className="b" />
        <circle cx="60" cy="56" r="11" className="c" />
        <path d="M34 30L60 56L72 22z" className="l" />
      </svg>
      <p className="empty-state-title">No trained models yet</p>
      <p>
        Run an experiment with a Train or Sweep module, open its trained model output and choose <b>Save as trained model</b>. Saved models can be reused in other experiments, deployed as web services and exported.
      </p>
      <button type="button" className="btn" onClick={onImport}>
        <Icon name="upload" />
        Import a model file
      </button>
    </div>
  )
}

/** /models: the user's saved models and those of experiments shared with them. */
export function ModelsPage() {
  const models = useModels()
  const navigate = useNavigate()
  const toast = useToast()
  const [dialog, setDialog] = useState<Dialog>(null)
  const [query, setQuery] = useState('')
  const [exporting, setExporting] = useState<string | null>(null)
  const list = useMemo(() => models.data ?? [], [models.data])
  const shown = query.trim() ? list.filter((m) => matchesModel(m, query)) : list
  const close = () => setDialog(null)

  const exportModel = async (model: SavedModel, format: (typeof EXPORT_FORMATS)[number]) => {
    setExporting(`${model.id}:${format.format}`)
    try {
      const file = await downloadModelExport(model, format.format)
      toast({ tone: 'success', title: `Exported “${model.name}”`, text: `${file} (${format.label})` })
    } catch (e) {
      setDialog({ kind: 'export-problem', title: `“${model.name}” cannot be exported as ${format.label}`, message: errorMessage(e) })
    } finally {
      setExporting(null)
    }
  }

  let body: React.JSX.Element
  if (models.state === 'loading') {
    body = (
      <div className="experiments-loading" aria-busy="true">
        <Spinner size={18} label="Loading trained models" />
      </div>
    )
  } else if (models.state === 'error') {
    body = (
      <div className="empty-state" role="alert">
        <p className="empty-state-title">Your trained models could not be loaded</p>
        <p>{errorMessage(models.error)}</p>
        <button type="button" className="btn" onClick={models.reload}>
          Try again
        </button>
      </div>
    )
  } else if (list.length === 0) {
    body = <EmptyModels onImport={() => setDialog({ kind: 'import' })} />
  } else {
    body = (
      <table className="experiments-table models-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Algorithm</th>
            <th scope="col">Input columns</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((model) => (
            <tr key={model.id} data-testid={`model-row-${model.id}`}>
              <td className="models-name">
                <span className="experiments-name-line">
                  <span className="models-title">{model.name}</span>
                  {model.owned ? null : (
                    <span className="role-badge is-viewer" title="Shared with you through an experiment: you can use it, not change it">
                      Shared
                    </span>
                  )}
                </span>
                {model.description ? <span className="models-description">{model.description}</span> : null}
                {model.owned ? null : (
                  <span className="experiments-meta">
                    <span className="shared-by">
                      <Icon name="share" size={11} /> Shared by {model.owner.username}
                    </span>
                  </span>
                )}
              </td>
              <td>
                <span className="models-algorithm">{model.algorithm_name}</span>
                <span className="experiments-meta">
                  k = {model.k}
                  {model.metric ? ` · ${model.metric}` : ''}
                  {model.normalize ? ' · normalised' : ''}
                </span>
              </td>
              <td>
                <ColumnChips model={model} />
              </td>
              <td className="models-created" title={`${absoluteTime(model.created_at)} · ${formatBytes(model.size_bytes)}`}>
                {relativeTime(model.created_at)}
                <span className="experiments-meta">
                  <ModelSourceLink model={model} />
                </span>
              </td>
              <td className="experiments-actions">
                <button type="button" className="btn btn-small" onClick={() => setDialog({ kind: 'deploy', model })} aria-label={`Deploy ${model.name} as a web service`}>
                  <Icon name="service" size={12} />
                  Deploy
                </button>
                <Menu
                  label={`Export ${model.name}`}
                  title="Export"
                  triggerClassName="icon-btn"
                  trigger={exporting?.startsWith(`${model.id}:`) ? <Spinner size={12} /> : <Icon name="download" />}
                  items={EXPORT_FORMATS.map((format) => ({
                    label: format.label,
                    hint: format.hint,
                    icon: <Icon name="download" />,
                    onSelect: () => void exportModel(model, format),
                  }))}
                />
                {model.owned ? (
                  <>
                    <button type="button" className="icon-btn" aria-label={`Rename ${model.name}`} title="Rename and describe" onClick={() => setDialog({ kind: 'edit', model })}>
                      <Icon name="edit" />
                    </button>
                    <button type="button" className="icon-btn is-danger" aria-label={`Delete ${model.name}`} title="Delete" onClick={() => setDialog({ kind: 'delete', model })}>
                      <Icon name="trash" />
                    </button>
                  </>
                ) : (
                  <span className="models-action-gap" aria-hidden="true" />
                )}
              </td>
            </tr>
          ))}
          {shown.length === 0 ? (
            <tr>
              <td colSpan={5} className="experiments-nomatch">
                No model matches “{query.trim()}”.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    )
  }

  return (
    <div className="page-shell">
      <Header root="models" onRootPage />
      <main className="experiments-page">
        <div className="experiments-head">
          <div>
            <h1 className="experiments-title">Trained models</h1>
            <p className="experiments-subtitle">Models you saved from runs, and those of experiments shared with you. Reuse them from the palette, deploy them as web services, or export them.</p>
          </div>
          <div className="experiments-tools">
            {list.length > 0 ? (
              <input type="search" className="input experiments-search" placeholder="Filter by name or column" aria-label="Filter models" value={query} onChange={(e) => setQuery(e.target.value)} />
            ) : null}
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'import' })}>
              <Icon name="upload" />
              Import
            </button>
          </div>
        </div>
        <div className="experiments-card">{body}</div>
      </main>
      {dialog?.kind === 'edit' ? (
        <EditModelDialog
          model={dialog.model}
          onClose={close}
          onSaved={(saved) => {
            close()
            announceModelsChanged()
            toast({ tone: 'success', title: `Saved “${saved.name}”` })
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <DeleteModelDialog
          model={dialog.model}
          onClose={close}
          onDeleted={() => {
            close()
            announceModelsChanged()
            toast({ tone: 'success', title: `Deleted “${dialog.model.name}”` })
          }}
        />
      ) : null}
      {dialog?.kind === 'import' ? (
        <ImportModelDialog
          onClose={close}
          onImported={(imported) => {
            close()
            announceModelsChanged()
            toast({ tone: 'success', title: `Imported “${imported.name}”`, text: `${imported.algorithm_name}, k = ${imported.k}, ${imported.feature_columns.length} input columns.` })
          }}
        />
      ) : null}
      {dialog?.kind === 'export-problem' ? <ExportProblemDialog title={dialog.title} message={dialog.message} onClose={close} /> : null}
      {dialog?.kind === 'deploy' ? (
        <DeployDialog model={dialog.model} onClose={close} onDeployed={(service) => navigate(`/services/${encodeURIComponent(service.id)}`, { state: keysState(service) })} />
      ) : null}
    </div>
  )
}
