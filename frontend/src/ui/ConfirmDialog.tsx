import { useState, type ReactNode } from 'react'
import { errorMessage } from '../api/client'
import { Dialog } from './Dialog'
import { Spinner } from './icons'

export interface ConfirmDialogProps {
  title: ReactNode
  tone: 'danger' | 'warning'
  /** The label of the button that does it (shown in red). */
  confirmLabel: string
  /** Does it; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>
  onClose: () => void
  children: ReactNode
}

/** Asks before something that cannot be undone; busy while it runs, its error shown in place. */
export function ConfirmDialog({ title, tone, confirmLabel, onConfirm, onClose, children }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const confirm = async () => {
    setBusy(true)
    setError(null)
    try {
      await onConfirm()
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Dialog
      title={title}
      size="small"
      tone={tone}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void confirm()}>
            {busy ? <Spinner size={12} /> : null}
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  )
}
