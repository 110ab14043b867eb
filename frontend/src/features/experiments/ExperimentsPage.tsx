import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { Link, useNavigate } from 'react-router'
import { errorMessage } from '../../api/client'
import { cloneExperiment, createExperiment, deleteExperiment, listExperiments, updateExperiment } from '../../api/endpoints'
import type { Experiment } from '../../api/types'
import { useApiResource } from '../../api/useApiResource'
import { Header } from '../../app/Header'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'
import { Icon, Spinner } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'
import { ROLE_LABEL } from '../sharing/shareLogic'
import '../sharing/sharing.css'
import './experiments.css'

const load = (signal: AbortSignal) => listExperiments(signal)

/** Someone else's experiment, shared with the user (viewer or editor). */
const isShared = (experiment: Experiment) => !!experiment.my_role && experiment.my_role !== 'owner'

/** "Untitled experiment", or "Untitled experiment 3" when that name is taken. */
export function freshName(existing: readonly string[], base = 'Untitled experiment'): string {
  const taken = new Set(existing)
  if (!taken.has(base)) return base
  for (let i = 2; ; i += 1) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`
}

function RenameField({ experiment, onDone }: { experiment: Experiment; onDone: (saved?: Experiment) => void }) {
  const [name, setName] = useState(experiment.name)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.select(), [])

  const submit = async (event?: FormEvent) => {
    event?.preventDefault()
    const trimmed = name.trim()
    if (!trimmed || trimmed === experiment.name) return onDone()
    setBusy(true)
    try {
      onDone(await updateExperiment(experiment.id, { name: trimmed, version: experiment.version }))
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }
  return (
    <form className="rename-form" onSubmit={submit}>
      <input
        ref={input}
        className="input"
        aria-label={`New name for ${experiment.name}`}
        value={name}
        disabled={busy}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone()
        }}
        onBlur={() => void submit()}
        aria-invalid={error ? true : undefined}
        title={error ?? undefined}
      />
    </form>
  )
}

export function ExperimentsPage() {
  const experiments = useApiResource(load)
  const navigate = useNavigate()
  const toast = useToast()
  const [creating, setCreating] = useState(false)
  const [renaming, setRenaming] = useState<number | null>(null)
  const [copying, setCopying] = useState<Experiment | null>(null)
  const [deleting, setDeleting] = useState<Experiment | null>(null)
  const [query, setQuery] = useState('')
  const loaded = experiments.data
  const list = useMemo(() => loaded?.data ?? [], [loaded])
  const { reload } = experiments

  const create = useCallback(async () => {
    setCreating(true)
    try {
      const created = await createExperiment(freshName(list.map((e) => e.name)))
      navigate(`/experiments/${created.id}`)
    } catch (e) {
      toast({ tone: 'error', title: 'Could not create the experiment', text: errorMessage(e) })
      setCreating(false)
    }
  }, [list, navigate, toast])

  const shown = query.trim() ? list.filter((e) => e.name.toLowerCase().includes(query.trim().toLowerCase())) : list

  let body: React.JSX.Element
  if (experiments.state === 'loading') {
    body = (
      <div className="experiments-loading" aria-busy="true">
        <Spinner size={18} label="Loading experiments" />
      </div>
    )
  } else if (experiments.state === 'error') {
    body = (
      <div className="empty-state" role="alert">
        <p className="empty-state-title">Your experiments could not be loaded</p>
        <p>{errorMessage(experiments.error)}</p>
        <button type="button" className="btn" onClick={reload}>
          Try again
        </button>
      </div>
    )
  } else if (list.length === 0) {
    body = (
      <div className="empty-state experiments-empty">
        <svg viewBox="0 0 120 80" width="140" height="94" aria-hidden="true" className="experiments-empty-art">
          <rect x="8" y="8" width="44" height="18" rx="5" className="a" />
          <rect x="68" y="8" width="44" height="18" rx="5" className="b" />
          <rect x="38" y="54" width="44" height="18" rx="5" className="c" />
          <path d="M30 26v10a6 6 0 006 6h12a6 6 0 016 6v6 M90 26v10a6 6 0 01-6 6H72a6 6 0 00-6 6v6" className="l" />
        </svg>
        <p className="empty-state-title">No experiments yet</p>
        <p>An experiment is a canvas where you wire a dataset, K&#8209;Means and a trainer, then run it and look at the clusters.</p>
        <button type="button" className="btn btn-primary" onClick={create} disabled={creating}>
          <Icon name="plus" />
          Create your first experiment
        </button>
      </div>
    )
  } else {
    body = (
      <table className="experiments-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Last saved</th>
            <th scope="col">Last run</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((experiment) => (
            <tr key={experiment.id} data-testid={`experiment-row-${experiment.id}`}>
              <td className="experiments-name">
                {renaming === experiment.id ? (
                  <RenameField
                    experiment={experiment}
                    onDone={(saved) => {
                      setRenaming(null)
                      if (saved) reload()
                    }}
                  />
                ) : (
                  <span className="experiments-name-line">
                    <Link to={`/experiments/${experiment.id}`}>{experiment.name}</Link>
                    {isShared(experiment) ? (
                      <span className={`role-badge is-${experiment.my_role}`} data-testid="role-badge" title={`You can ${experiment.my_role === 'editor' ? 'edit and run' : 'view'} it`}>
                        {ROLE_LABEL[experiment.my_role ?? ''] ?? experiment.my_role}
                      </span>
                    ) : null}
                  </span>
                )}
                <span className="experiments-meta">
                  {isShared(experiment) ? (
                    <>
                      <span className="shared-by" data-testid="shared-by">
                        <Icon name="share" size={11} /> Shared by {experiment.owner.username}
                      </span>
                      {' · '}
                    </>
                  ) : null}
                  {experiment.graph.nodes.length} module{experiment.graph.nodes.length === 1 ? '' : 's'} · version {experiment.version}
                </span>
              </td>
              <td title={absoluteTime(experiment.updated_at)}>{relativeTime(experiment.updated_at)}</td>
              <td>
                {experiment.last_run ? (
                  <span className="experiments-run" title={absoluteTime(experiment.last_run.created_at)}>
                    <StatusPill status={experiment.last_run.status} />
                    <span className="experiments-run-time">{relativeTime(experiment.last_run.created_at)}</span>
                  </span>
                ) : (
                  <span className="experiments-never">Never run</span>
                )}
              </td>
              <td className="experiments-actions">
                <Link className="btn btn-small" to={`/experiments/${experiment.id}`} aria-label={`Open ${experiment.name}`}>
                  Open
                </Link>
                {isShared(experiment) ? (
                  <span className="experiments-action-gap" aria-hidden="true" />
                ) : (
                  <button type="button" className="icon-btn" aria-label={`Rename ${experiment.name}`} title="Rename" onClick={() => setRenaming(experiment.id)}>
                    <Icon name="edit" />
                  </button>
                )}
                <button type="button" className="icon-btn" aria-label={`Save ${experiment.name} as…`} title={isShared(experiment) ? 'Save a copy of your own…' : 'Save As…'} onClick={() => setCopying(experiment)}>
                  <Icon name="copy" />
                </button>
                {isShared(experiment) ? (
                  <span className="experiments-action-gap" aria-hidden="true" />
                ) : (
                  <button type="button" className="icon-btn is-danger" aria-label={`Delete ${experiment.name}`} title="Delete" onClick={() => setDeleting(experiment)}>
                    <Icon name="trash" />
                  </button>
                )}
              </td>
            </tr>
          ))}
          {shown.length === 0 ? (
            <tr>
              <td colSpan={4} className="experiments-nomatch">
                No experiment matches “{query.trim()}”.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    )
  }

  return (
    <div className="page-shell">
      <Header onExperimentsPage />
      <main className="experiments-page">
        <div className="experiments-head">
          <div>
            <h1 className="experiments-title">Experiments</h1>
            <p className="experiments-subtitle">Your clustering experiments and those shared with you, most recently saved first.</p>
          </div>
          <div className="experiments-tools">
            {list.length > 0 ? (
              <input
                type="search"
                className="input experiments-search"
                placeholder="Filter by name"
                aria-label="Filter experiments"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            ) : null}
            <button type="button" className="btn btn-primary" onClick={create} disabled={creating}>
              {creating ? <Spinner size={12} /> : <Icon name="plus" />}
              New experiment
            </button>
          </div>
        </div>
        <div className="experiments-card">{body}</div>
      </main>
      {copying ? (
        <SaveAsDialog
          experiment={copying}
          onClose={() => setCopying(null)}
          onSaved={(copy) => {
            setCopying(null)
            reload()
            toast({ tone: 'success', title: `Saved as “${copy.name}”` })
          }}
        />
      ) : null}
      {deleting ? (
        <DeleteDialog
          experiment={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null)
            reload()
            toast({ tone: 'success', title: `Deleted “${deleting.name}”` })
          }}
        />
      ) : null}
    </div>
  )
}

export function SaveAsDialog({ experiment, onClose, onSaved }: { experiment: Experiment; onClose: () => void; onSaved: (copy: Experiment) => void }) {
  const [name, setName] = useState(`${experiment.name} (copy)`)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    try {
      onSaved(await cloneExperiment(experiment.id, name.trim() || undefined))
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Dialog
      title="Save As"
      size="small"
      onClose={onClose}
      footer={
        <FormDialogFooter formId="save-as-form" submitLabel="Save copy" onCancel={onClose} busy={busy} disabled={!name.trim()} />
      }
    >
      <form id="save-as-form" onSubmit={submit} className="field">
        <p>A copy of the last saved version of “{experiment.name}”, owned by you.</p>
        <label className="field-label" htmlFor="save-as-name">
          Name of the copy
        </label>
        <input id="save-as-name" className="input" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        {error ? <span className="field-error">{error}</span> : null}
      </form>
    </Dialog>
  )
}

function DeleteDialog({ experiment, onClose, onDeleted }: { experiment: Experiment; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete “${experiment.name}”?`}
      tone="danger"
      confirmLabel="Delete experiment"
      onConfirm={async () => {
        await deleteExperiment(experiment.id)
        onDeleted()
      }}
      onClose={onClose}
    >
      <p>The experiment, its saved versions, its runs and their outputs are deleted; a run in progress stops first. This cannot be undone.</p>
    </ConfirmDialog>
  )
}
