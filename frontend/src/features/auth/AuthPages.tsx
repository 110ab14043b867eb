import { useState, type FormEvent } from 'react'
import { Link, Navigate, useLocation, useNavigate } from 'react-router'
import { ApiError } from '../../api/client'
import { Logo } from '../../app/Logo'
import { Spinner } from '../../ui/icons'
import { nextPath, useAuth } from './AuthContext'
import { NEW_PASSWORD_HINT, newPasswordProblem, PasswordField } from './PasswordField'
import './auth.css'

function AuthFrame({ title, subtitle, children, footer }: { title: string; subtitle: string; children: React.ReactNode; footer: React.ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-aside" aria-hidden="true">
        <div className="auth-aside-inner">
          <Logo size={40} />
          <p className="auth-aside-title">Cluster Studio</p>
          <p className="auth-aside-text">
            Drag a dataset, K-Means and a trainer onto the canvas, wire them, run — and see your clusters.
          </p>
          <svg className="auth-aside-art" viewBox="0 0 260 150">
            {[
              [40, 40, '#2f5bea'], [58, 52, '#2f5bea'], [46, 66, '#2f5bea'], [30, 58, '#2f5bea'], [62, 34, '#2f5bea'],
              [150, 30, '#0f9f8f'], [168, 42, '#0f9f8f'], [140, 48, '#0f9f8f'], [158, 58, '#0f9f8f'], [176, 26, '#0f9f8f'],
              [100, 112, '#c2418a'], [118, 124, '#c2418a'], [86, 122, '#c2418a'], [108, 98, '#c2418a'], [126, 106, '#c2418a'],
              [210, 110, '#5b5bd6'], [226, 96, '#5b5bd6'], [220, 124, '#5b5bd6'], [236, 114, '#5b5bd6'],
            ].map(([x, y, c], i) => (
              <circle key={i} cx={x} cy={y} r="5" fill={c as string} opacity="0.85" />
            ))}
            <ellipse cx="47" cy="51" rx="30" ry="24" fill="none" stroke="#2f5bea" strokeDasharray="4 4" opacity=".5" />
            <ellipse cx="158" cy="42" rx="30" ry="24" fill="none" stroke="#0f9f8f" strokeDasharray="4 4" opacity=".5" />
            <ellipse cx="106" cy="112" rx="30" ry="22" fill="none" stroke="#c2418a" strokeDasharray="4 4" opacity=".5" />
            <ellipse cx="222" cy="110" rx="24" ry="22" fill="none" stroke="#5b5bd6" strokeDasharray="4 4" opacity=".5" />
          </svg>
        </div>
      </div>
      <main className="auth-main">
        <div className="auth-card">
          <h1 className="auth-title">{title}</h1>
          <p className="auth-subtitle">{subtitle}</p>
          {children}
          <p className="auth-footer">{footer}</p>
        </div>
      </main>
    </div>
  )
}

/** "10 minutes", "45 seconds". */
export function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return 'The server could not be reached. Check your connection and try again.'
    // Too many failed sign-ins: the server's message says how long to wait; a proxy's 429 may not.
    if (error.status === 429 && typeof error.detail !== 'string') {
      return error.retryAfter ? `Too many attempts. Try again in ${waitWords(error.retryAfter)}.` : 'Too many attempts. Try again later.'
    }
    return error.message
  }
  return 'Something went wrong. Try again.'
}

/** Runs a sign-in or sign-up: busy while it is on the way, then goes on to `next` or shows why not. */
function useAuthAttempt(next: string) {
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const attempt = async (action: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await action()
      navigate(next, { replace: true })
    } catch (e) {
      setError(messageOf(e))
      setBusy(false)
    }
  }
  return { busy, error, attempt }
}

export function SignInPage() {
  const { state, signIn } = useAuth()
  const location = useLocation()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const next = nextPath(location.search)
  const { busy, error, attempt } = useAuthAttempt(next)

  if (state.status === 'signed-in' && !busy) return <Navigate to={next} replace />

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void attempt(() => signIn(username.trim(), password))
  }

  return (
    <AuthFrame
      title="Sign in"
      subtitle={state.status === 'signed-out' && state.reason === 'expired' ? 'Your session ended. Sign in again to continue.' : 'Welcome back to Cluster Studio.'}
      footer={
        <>
          New here? <Link to={`/signup${location.search}`}>Create an account</Link>
        </>
      }
    >
      <form className="auth-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="signin-username">
            Username
          </label>
          <input id="signin-username" className="input" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </div>
        <PasswordField id="signin-password" label="Password" autoComplete="current-password" value={password} onChange={setPassword} required />
        {error ? (
          <p className="auth-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary auth-submit" disabled={busy || !username || !password}>
          {busy ? <Spinner size={12} /> : null}
          Sign in
        </button>
      </form>
    </AuthFrame>
  )
}

export function SignUpPage() {
  const { state, signUp } = useAuth()
  const location = useLocation()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [touched, setTouched] = useState(false)
  const next = nextPath(location.search)
  const { busy, error, attempt } = useAuthAttempt(next)

  if (state.status === 'signed-in' && !busy) return <Navigate to={next} replace />

  const usernameProblem =
    username.length > 0 && !/^[A-Za-z0-9_.@-]{3,64}$/.test(username)
      ? '3–64 letters, digits or . _ @ -'
      : null
  const passwordProblem = newPasswordProblem(password)
  const confirmProblem = touched && confirm !== password ? 'The passwords differ' : null
  const ready = username && password && confirm && !usernameProblem && !passwordProblem && confirm === password

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setTouched(true)
    if (!ready) return
    void attempt(() => signUp(username.trim(), password))
  }

  return (
    <AuthFrame
      title="Create your account"
      subtitle="Build, run and inspect clustering experiments in your browser."
      footer={
        <>
          Already have an account? <Link to={`/signin${location.search}`}>Sign in</Link>
        </>
      }
    >
      <form className="auth-form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="signup-username">
            Username
          </label>
          <input
            id="signup-username"
            className="input"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={usernameProblem ? true : undefined}
            aria-describedby="signup-username-hint"
            autoFocus
          />
          <span id="signup-username-hint" className={usernameProblem ? 'field-error' : 'field-hint'}>
            {usernameProblem ?? 'Letters, digits and . _ @ -'}
          </span>
        </div>
        <PasswordField
          id="signup-password"
          label="Password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          hint={NEW_PASSWORD_HINT}
          problem={passwordProblem}
        />
        <PasswordField
          id="signup-confirm"
          label="Confirm password"
          autoComplete="new-password"
          value={confirm}
          onChange={setConfirm}
          onBlur={() => setTouched(true)}
          problem={confirmProblem}
        />
        {error ? (
          <p className="auth-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary auth-submit" disabled={busy}>
          {busy ? <Spinner size={12} /> : null}
          Create account
        </button>
      </form>
    </AuthFrame>
  )
}
