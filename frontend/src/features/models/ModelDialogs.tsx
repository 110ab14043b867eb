import { useState, type FormEvent } from 'react'
import { submitErrorMessage } from '../../api/client'
import { deleteModel, importModel, updateModel, type SavedModel } from '../../api/models'
import { createService, type ServiceWithKeys } from '../../api/services'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'
import { Icon } from '../../ui/icons'

function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="field-error" role="alert">
      {error}
    </p>
  ) : null
}

/** Renames a model and changes its description (the owner only). */
export function EditModelDialog({ model, onClose, onSaved }: { model: SavedModel; onClose: () => void; onSaved: (saved: SavedModel) => void }) {
  const [name, setName] = useState(model.name)
  const [description, setDescription] = useState(model.description ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!name.trim()) return setError('Give the model a name.')
    setBusy(true)
    try {
      onSaved(await updateModel(model.id, { name: name.trim(), description: description.trim() }))
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Dialog title="Rename and describe" size="small" onClose={onClose} footer={<FormDialogFooter formId="edit-model-form" submitLabel="Save" onCancel={onClose} busy={busy} />}>
      <form id="edit-model-form" className="model-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="edit-model-name">
            Name
          </label>
          <input id="edit-model-name" className="input" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} data-autofocus />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="edit-model-description">
            Description
          </label>
          <textarea id="edit-model-description" className="textarea" rows={4} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <FormError error={error} />
      </form>
    </Dialog>
  )
}

/** Asks before deleting a model: the experiments using it can no longer run, its web services go with it. */
export function DeleteModelDialog({ model, onClose, onDeleted }: { model: SavedModel; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete “${model.name}”?`}
      tone="danger"
      confirmLabel="Delete model"
      onConfirm={async () => {
        await deleteModel(model.id)
        onDeleted()
      }}
      onClose={onClose}
    >
      <p>The model and every web service deployed from it are deleted: their keys stop working at once. Experiments that load it show “Model not found” until you choose another. This cannot be undone.</p>
    </ConfirmDialog>
  )
}

const IMPORTABLE = /\.(json|npz)$/i

/** Adds a model from a file: the portable JSON export, or the studio's own .npz. */
export function ImportModelDialog({ onClose, onImported }: { onClose: () => void; onImported: (model: SavedModel) => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!file) return setError('Choose a .json or .npz model file.')
    if (!IMPORTABLE.test(file.name)) return setError('Only .json (the portable export) and .npz model files can be imported.')
    setBusy(true)
    setError(null)
    try {
      onImported(await importModel(file, name))
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Dialog title="Import a model" size="small" onClose={onClose} footer={<FormDialogFooter formId="import-model-form" submitLabel="Import" onCancel={onClose} busy={busy} disabled={!file} />}>
      <form id="import-model-form" className="model-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="import-model-file">
            Model file
          </label>
          <input
            id="import-model-file"
            type="file"
            className="input model-file-input"
            accept=".json,.npz,application/json"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
              setError(null)
            }}
            data-autofocus
          />
          <span className="field-hint">A model exported as Portable JSON from this studio or another one, or a studio .npz.</span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="import-model-name">
            Name <span className="field-optional">(optional)</span>
          </label>
          <input id="import-model-name" className="input" value={name} maxLength={255} placeholder="The name in the file" onChange={(e) => setName(e.target.value)} />
        </div>
        <FormError error={error} />
      </form>
    </Dialog>
  )
}

/** Deploys a model as a web service: a name, whether answers repeat the input columns; the keys come back once. */
export function DeployDialog({ model, onClose, onDeployed }: { model: SavedModel; onClose: () => void; onDeployed: (service: ServiceWithKeys) => void }) {
  const [name, setName] = useState(`${model.name} service`)
  const [append, setAppend] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!name.trim()) return setError('Give the service a name.')
    setBusy(true)
    setError(null)
    try {
      onDeployed(await createService({ model_id: model.id, name: name.trim(), append }))
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Dialog title="Deploy as web service" size="small" onClose={onClose} footer={<FormDialogFooter formId="deploy-form" submitLabel="Deploy" onCancel={onClose} busy={busy} />}>
      <form id="deploy-form" className="model-form" onSubmit={submit} noValidate>
        <p className="model-form-lead">
          <Icon name="service" size={14} />
          <span>
            Other programs send rows to a scoring URL with a key and get “{model.name}”’s cluster assignments back, one row or thousands at a time.
          </span>
        </p>
        <div className="field">
          <label className="field-label" htmlFor="deploy-name">
            Service name
          </label>
          <input id="deploy-name" className="input" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} data-autofocus />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={append} onChange={(e) => setAppend(e.target.checked)} />
          <span>
            Return the input columns with the assignments
            <span className="field-hint model-checkbox-hint">Otherwise only the assignments and the per-cluster scores come back.</span>
          </span>
        </label>
        <FormError error={error} />
      </form>
    </Dialog>
  )
}

/** Why a model could not be exported in a format, in the server's words (long enough to deserve a dialog). */
export function ExportProblemDialog({ title, message, onClose }: { title: string; message: string; onClose: () => void }) {
  return (
    <Dialog
      title={title}
      size="small"
      tone="warning"
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          OK
        </button>
      }
    >
      <p role="alert">{message}</p>
    </Dialog>
  )
}
