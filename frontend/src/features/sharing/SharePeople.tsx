import { useEffect, useId, useState, type FormEvent } from 'react'
import { errorMessage, isNotFound } from '../../api/client'
import { addShare, listShares, removeShare } from '../../api/endpoints'
import type { Share, ShareRole, User } from '../../api/types'
import { Icon, Spinner } from '../../ui/icons'
import { useToast } from '../../ui/Toasts'
import { SHARE_ROLES, sharedMessage, shareProblem, upsertShare, withoutShare, type Loaded } from './shareLogic'

function Avatar({ name, tone = 'default' }: { name: string; tone?: 'default' | 'owner' }) {
  return (
    <span className={`share-avatar is-${tone}`} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  )
}

/** The Share dialog's people: who the experiment is shared with and as what; adding and removing them. */
export function PeopleSection({ experimentId, owner }: { experimentId: number; owner: User }) {
  const toast = useToast()
  const [shares, setShares] = useState<Loaded<Share[]>>({ state: 'loading' })
  const [username, setUsername] = useState('')
  const [role, setRole] = useState<ShareRole>('viewer')
  const [busy, setBusy] = useState<string | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const inputId = useId()

  useEffect(() => {
    const controller = new AbortController()
    listShares(experimentId, controller.signal).then(
      (data) => setShares({ state: 'ready', data: [...data].sort((a, b) => a.user.username.localeCompare(b.user.username)) }),
      (error: unknown) => !controller.signal.aborted && setShares({ state: 'error', error: errorMessage(error) }),
    )
    return () => controller.abort()
  }, [experimentId])

  const current = shares.state === 'ready' ? shares.data : []

  const share = async (name: string, newRole: ShareRole, key: string) => {
    setBusy(key)
    setProblem(null)
    try {
      const saved = await addShare(experimentId, name, newRole)
      toast({ tone: 'success', title: sharedMessage(current, saved) })
      setShares((s) => (s.state === 'ready' ? { state: 'ready', data: upsertShare(s.data, saved) } : s))
      return true
    } catch (error) {
      setProblem(isNotFound(error) ? `No user is called “${name}”` : errorMessage(error))
      return false
    } finally {
      setBusy(null)
    }
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const why = shareProblem(username, owner)
    if (why) return setProblem(why)
    if (await share(username.trim(), role, 'add')) setUsername('')
  }

  const revoke = async (target: Share) => {
    setBusy(`remove-${target.user.id}`)
    try {
      await removeShare(experimentId, target.user.id)
      setShares((s) => (s.state === 'ready' ? { state: 'ready', data: withoutShare(s.data, target.user.id) } : s))
      toast({ title: `${target.user.username} no longer has access` })
    } catch (error) {
      toast({ tone: 'error', title: `Could not remove ${target.user.username}`, text: errorMessage(error) })
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="share-section" aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`} className="share-section-title">
        People with access
      </h3>
      <form className="share-add" onSubmit={submit} noValidate>
        <label className="visually-hidden" htmlFor={inputId}>
          Username to share with
        </label>
        <div className="share-add-field">
          <Icon name="user" size={14} className="share-add-icon" />
          <input
            id={inputId}
            className="input"
            placeholder="Add people by username"
            autoComplete="off"
            value={username}
            onChange={(e) => {
              setUsername(e.target.value)
              setProblem(null)
            }}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${inputId}-problem` : undefined}
            data-autofocus
          />
        </div>
        <select className="select share-role-select" aria-label="Role for the new share" value={role} onChange={(e) => setRole(e.target.value as ShareRole)}>
          {SHARE_ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-primary" disabled={busy === 'add' || !username.trim()}>
          {busy === 'add' ? <Spinner size={12} /> : null}
          Share
        </button>
      </form>
      {problem ? (
        <p className="field-error share-problem" id={`${inputId}-problem`} role="alert">
          {problem}
        </p>
      ) : (
        <p className="field-hint share-problem">
          Viewers {SHARE_ROLES[0].hint}; editors {SHARE_ROLES[1].hint}.
        </p>
      )}
      <ul className="share-list" aria-label="People with access">
        <li className="share-row is-owner">
          <Avatar name={owner.username} tone="owner" />
          <span className="share-name">
            {owner.username} <span className="share-you">(you)</span>
          </span>
          <span className="share-role-fixed">Owner</span>
        </li>
        {shares.state === 'loading' ? (
          <li className="share-row is-muted">
            <Spinner size={12} /> Loading…
          </li>
        ) : null}
        {shares.state === 'error' ? (
          <li className="share-row is-muted" role="alert">
            Could not load the people: {shares.error}
          </li>
        ) : null}
        {current.map((s) => (
          <li key={s.user.id} className="share-row" data-testid={`share-row-${s.user.username}`}>
            <Avatar name={s.user.username} />
            <span className="share-name">{s.user.username}</span>
            <select
              className="select share-role-select"
              aria-label={`Role of ${s.user.username}`}
              value={s.role}
              disabled={busy !== null}
              onChange={(e) => void share(s.user.username, e.target.value as ShareRole, `role-${s.user.id}`)}
            >
              {SHARE_ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="icon-btn is-danger"
              aria-label={`Remove ${s.user.username}`}
              title={`Remove ${s.user.username}'s access`}
              disabled={busy !== null}
              onClick={() => void revoke(s)}
            >
              {busy === `remove-${s.user.id}` ? <Spinner size={12} /> : <Icon name="x" />}
            </button>
          </li>
        ))}
        {shares.state === 'ready' && current.length === 0 ? <li className="share-row is-muted share-empty">Only you can open this experiment.</li> : null}
      </ul>
    </section>
  )
}
