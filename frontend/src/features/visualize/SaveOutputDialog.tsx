import { useState, type FormEvent, type ReactNode } from 'react'
import { submitErrorMessage } from '../../api/client'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'

/**
 * The dialog of "Save as dataset" / "Save as trained model": a name (required), optional further fields,
 * and a submit that keeps the dialog open with the server's words when saving fails.
 */
export function SaveOutputDialog({
  idPrefix,
  title,
  noun,
  submitLabel,
  hint,
  suggestedName,
  save,
  onClose,
  children,
}: {
  /** Ids of the form and its name field: `${idPrefix}-form`, `${idPrefix}-name`. */
  idPrefix: string
  title: string
  /** What is being saved, as in "Give the dataset a name." */
  noun: string
  submitLabel: string
  hint?: string
  suggestedName: string
  /** Saves under the trimmed name; throwing shows the failure in the dialog. */
  save: (name: string) => Promise<void>
  onClose: () => void
  children?: ReactNode
}) {
  const [name, setName] = useState(suggestedName)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const formId = `${idPrefix}-form`

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!name.trim()) {
      setError(`Give the ${noun} a name.`)
      return
    }
    setBusy(true)
    setError(null)
    try {
      await save(name.trim())
      onClose()
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={title}
      size="small"
      onClose={onClose}
      footer={<FormDialogFooter formId={formId} submitLabel={submitLabel} onCancel={onClose} busy={busy} />}
    >
      <form id={formId} className={formId} onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor={`${idPrefix}-name`}>
            {noun[0].toUpperCase() + noun.slice(1)} name
          </label>
          <input
            id={`${idPrefix}-name`}
            className="input"
            value={name}
            maxLength={255}
            onChange={(e) => {
              setName(e.target.value)
              setError(null)
            }}
            data-autofocus
          />
          {hint ? <span className="field-hint">{hint}</span> : null}
        </div>
        {children}
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Dialog>
  )
}
