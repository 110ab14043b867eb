import { Spinner } from './icons'

/** The footer of a dialog that holds a form: Cancel, and the form's submit button (a spinner while busy). */
export function FormDialogFooter({
  formId,
  submitLabel,
  onCancel,
  busy,
  disabled = false,
}: {
  formId: string
  submitLabel: string
  onCancel: () => void
  busy: boolean
  disabled?: boolean
}) {
  return (
    <>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" form={formId} className="btn btn-primary" disabled={busy || disabled}>
        {busy ? <Spinner size={12} /> : null}
        {submitLabel}
      </button>
    </>
  )
}
