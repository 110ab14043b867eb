import { useState, type FormEvent } from 'react'
import { submitErrorMessage } from '../../api/client'
import { changePassword } from '../../api/endpoints'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { Dialog } from '../../ui/Dialog'
import { FormDialogFooter } from '../../ui/FormDialogFooter'
import { useToast } from '../../ui/Toasts'
import { useAuth } from './AuthContext'
import { MIN_PASSWORD_LENGTH, NEW_PASSWORD_HINT, newPasswordProblem, PasswordField } from './PasswordField'
import './auth.css'

/** Current, new and confirmed password; the server's policy message (why a password is too easy) shows as it is. */
export function ChangePasswordDialog({ onClose }: { onClose: () => void }) {
  const toast = useToast()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const differs = touched && confirm !== next
  const ready = current.length > 0 && next.length >= MIN_PASSWORD_LENGTH && confirm === next

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setTouched(true)
    if (!ready) return
    setBusy(true)
    setError(null)
    try {
      await changePassword(current, next)
      toast({ tone: 'success', title: 'Password changed', text: 'Your other sessions were signed out.' })
      onClose()
    } catch (e) {
      setError(submitErrorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Change password"
      size="small"
      onClose={onClose}
      footer={<FormDialogFooter formId="change-password-form" submitLabel="Change password" onCancel={onClose} busy={busy} />}
    >
      <form id="change-password-form" className="account-form" onSubmit={submit} noValidate>
        <PasswordField
          id="current-password"
          label="Current password"
          autoComplete="current-password"
          value={current}
          onChange={(value) => {
            setCurrent(value)
            setError(null)
          }}
          dialogAutofocus
        />
        <PasswordField
          id="new-password"
          label="New password"
          autoComplete="new-password"
          value={next}
          onChange={(value) => {
            setNext(value)
            setError(null) // the server's verdict was about the previous password
          }}
          hint={NEW_PASSWORD_HINT}
          problem={newPasswordProblem(next)}
        />
        <PasswordField
          id="confirm-new-password"
          label="Confirm new password"
          autoComplete="new-password"
          value={confirm}
          onChange={setConfirm}
          onBlur={() => setTouched(true)}
          problem={differs ? 'The passwords differ' : null}
        />
        <p className="account-note">Your other sessions (other browsers, scripts' tokens) will be signed out; this one stays.</p>
        {error ? (
          <p className="auth-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Dialog>
  )
}

/** Confirms, then ends every session of the user, this one included (the app goes to the sign-in page). */
export function SignOutEverywhereDialog({ onClose }: { onClose: () => void }) {
  const { user, signOutEverywhere } = useAuth()
  return (
    <ConfirmDialog
      title="Sign out everywhere?"
      tone="warning"
      confirmLabel="Sign out everywhere"
      onConfirm={signOutEverywhere}
      onClose={onClose}
    >
      <p>
        Every session of <strong>{user?.username}</strong> ends now: in other browsers, on other devices, the tokens of
        your scripts, and this one. Use it if you signed in somewhere you should not stay signed in.
      </p>
    </ConfirmDialog>
  )
}
