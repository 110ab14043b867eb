import { useState, type FormEvent } from 'react'
import { ApiError, errorMessage } from '../../api/client'
import { changePassword } from '../../api/endpoints'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { Dialog } from '../../ui/Dialog'
import { Spinner } from '../../ui/icons'
import { useToast } from '../../ui/Toasts'
import { useAuth } from './AuthContext'
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

  const tooShort = next.length > 0 && next.length < 8
  const differs = touched && confirm !== next
  const ready = current.length > 0 && next.length >= 8 && confirm === next

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
      setError(e instanceof ApiError && e.status === 0 ? 'The server could not be reached. Try again.' : errorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Change password"
      size="small"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="change-password-form" className="btn btn-primary" disabled={busy}>
            {busy ? <Spinner size={12} /> : null}
            Change password
          </button>
        </>
      }
    >
      <form id="change-password-form" className="account-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="current-password">
            Current password
          </label>
          <input
            id="current-password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => {
              setCurrent(e.target.value)
              setError(null)
            }}
            data-autofocus
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="new-password">
            New password
          </label>
          <input
            id="new-password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => {
              setNext(e.target.value)
              setError(null) // the server's verdict was about the previous password
            }}
            aria-invalid={tooShort ? true : undefined}
            aria-describedby="new-password-hint"
          />
          <span id="new-password-hint" className={tooShort ? 'field-error' : 'field-hint'}>
            {tooShort ? 'At least 8 characters' : 'At least 8 characters and hard to guess: a few uncommon words work well'}
          </span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="confirm-new-password">
            Confirm new password
          </label>
          <input
            id="confirm-new-password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={differs ? true : undefined}
          />
          {differs ? <span className="field-error">The passwords differ</span> : null}
        </div>
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
