import { useState, type FormEvent } from 'react'
import { submitErrorMessage } from '../../api/client'
import { saveModel } from '../../api/models'
import { announceModelsChanged } from '../../app/apiResources'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'
import { useToast } from '../../ui/Toasts'
import type { OutputRef } from './api'

/** "Save as trained model" for a trained model output: a name and a description, then a copy that outlives the run. */
export function SaveAsModelButton({ outputRef, suggestedName }: { outputRef: OutputRef; suggestedName: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="save-as-model">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="5" cy="5.5" r="2" fill="currentColor" />
          <circle cx="11" cy="5" r="1.5" fill="currentColor" opacity=".7" />
          <circle cx="9" cy="11" r="2.3" fill="currentColor" />
        </svg>
        Save as trained model
      </button>
      {open ? <SaveAsModelDialog outputRef={outputRef} suggestedName={suggestedName} onClose={() => setOpen(false)} /> : null}
    </>
  )
}

function SaveAsModelDialog({ outputRef, suggestedName, onClose }: { outputRef: OutputRef; suggestedName: string; onClose: () => void }) {
  const toast = useToast()
  const [name, setName] = useState(suggestedName)
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!name.trim()) {
      setError('Give the model a name.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const saved = await saveModel({
        run_id: outputRef.runId,
        node_id: outputRef.nodeId,
        port: outputRef.port,
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      })
      announceModelsChanged() // the palette's Trained Models list shows it at once
      toast({
        tone: 'success',
        title: `Saved “${saved.name}”`,
        text: `${saved.algorithm_name}, ${saved.k} clusters on ${saved.feature_columns.length} column${saved.feature_columns.length === 1 ? '' : 's'}: now under Trained Models in the palette and on the Models page.`,
      })
      onClose()
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Save as trained model"
      size="small"
      onClose={onClose}
      footer={<FormDialogFooter formId="save-as-model-form" submitLabel="Save model" onCancel={onClose} busy={busy} />}
    >
      <form id="save-as-model-form" className="save-as-model-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="save-as-model-name">
            Model name
          </label>
          <input
            id="save-as-model-name"
            className="input"
            value={name}
            maxLength={255}
            onChange={(e) => {
              setName(e.target.value)
              setError(null)
            }}
            data-autofocus
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="save-as-model-description">
            Description <span className="field-optional">(optional)</span>
          </label>
          <textarea
            id="save-as-model-description"
            className="textarea"
            rows={3}
            maxLength={4000}
            placeholder="What it was trained on, what its clusters mean…"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <span className="field-hint">A copy of this model: reuse it in other experiments, deploy it as a web service or export it. It stays when the run is deleted.</span>
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
