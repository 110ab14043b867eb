import { useState, type FormEvent } from 'react'
import { apiSend, submitErrorMessage } from '../../api/client'
import type { Dataset } from '../../api/types'
import { announceDatasetsChanged } from '../../app/apiResources'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'
import { useToast } from '../../ui/Toasts'
import { outputPath, type OutputRef } from './api'

/** `POST …/outputs/{port}/save-as-dataset`: the table kept as one of the caller's datasets. */
export const saveOutputAsDataset = (ref: OutputRef, name: string) =>
  apiSend<Dataset>('POST', `${outputPath(ref)}/save-as-dataset`, { name })

/** "Save as dataset" for a table output: asks for a name, then keeps a copy that outlives the run. */
export function SaveAsDatasetButton({ outputRef, suggestedName }: { outputRef: OutputRef; suggestedName: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="save-as-dataset">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path d="M3 2.5h8l2 2v9H3zM5.5 2.5v3.5h5V2.5M5.5 13.5v-4h5v4" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
        </svg>
        Save as dataset
      </button>
      {open ? <SaveAsDatasetDialog outputRef={outputRef} suggestedName={suggestedName} onClose={() => setOpen(false)} /> : null}
    </>
  )
}

function SaveAsDatasetDialog({ outputRef, suggestedName, onClose }: { outputRef: OutputRef; suggestedName: string; onClose: () => void }) {
  const toast = useToast()
  const [name, setName] = useState(suggestedName)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!name.trim()) {
      setError('Give the dataset a name.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const saved = await saveOutputAsDataset(outputRef, name.trim())
      announceDatasetsChanged() // the palette lists it at once
      toast({
        tone: 'success',
        title: `Saved “${saved.name}”`,
        text: `${saved.n_rows.toLocaleString('en')} rows × ${saved.n_columns} columns, now in your datasets.`,
      })
      onClose()
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Save as dataset"
      size="small"
      onClose={onClose}
      footer={<FormDialogFooter formId="save-as-dataset-form" submitLabel="Save" onCancel={onClose} busy={busy} />}
    >
      <form id="save-as-dataset-form" className="save-as-dataset-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="save-as-dataset-name">
            Dataset name
          </label>
          <input
            id="save-as-dataset-name"
            className="input"
            value={name}
            maxLength={255}
            onChange={(e) => {
              setName(e.target.value)
              setError(null)
            }}
            data-autofocus
          />
          <span className="field-hint">A copy of this table in your datasets: it stays when the run is deleted.</span>
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Dialog>
  )
}
