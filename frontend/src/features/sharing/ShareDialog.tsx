import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { errorMessage, isNotFound } from '../../api/client'
import {
  addShare,
  createLink,
  deleteLink,
  getLink,
  getPublication,
  listShares,
  publishExperiment,
  removeShare,
  unpublishExperiment,
} from '../../api/endpoints'
import type { GalleryEntry, Share, ShareLink, ShareRole, User } from '../../api/types'
import { Dialog } from '../../ui/Dialog'
import { Icon, Spinner } from '../../ui/icons'
import { Markdown } from '../../ui/Markdown'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'
import {
  parseTags,
  publishProblem,
  SHARE_ROLES,
  sharedMessage,
  shareProblem,
  upsertShare,
  withoutShare,
  type PublishDraft,
} from './shareLogic'
import './sharing.css'

export interface ShareDialogProps {
  experimentId: number
  experimentName: string
  owner: User
  onClose: () => void
  /** Which tab opens first. */
  initialTab?: 'people' | 'publish'
}

type Loaded<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; error: string }

function Avatar({ name, tone = 'default' }: { name: string; tone?: 'default' | 'owner' }) {
  return (
    <span className={`share-avatar is-${tone}`} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  )
}

/** Copies text to the clipboard (falls back to selecting it and execCommand where the API is missing). */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* try the old way */
  }
  if (!input) return false
  input.select()
  try {
    return document.execCommand('copy')
  } catch {
    return false
  }
}

/** The Share dialog of the editor (owner only): people, the read-only link, publishing to the gallery. */
export function ShareDialog({ experimentId, experimentName, owner, onClose, initialTab = 'people' }: ShareDialogProps) {
  const [tab, setTab] = useState<'people' | 'publish'>(initialTab)
  const tabsId = useId()
  return (
    <Dialog
      title={
        <span className="share-dialog-title">
          <Icon name="share" size={15} />
          Share “{experimentName}”
        </span>
      }
      ariaLabel="Share"
      size="large"
      className="share-dialog"
      onClose={onClose}
      footer={
        <button type="button" className="btn" onClick={onClose}>
          Done
        </button>
      }
    >
      <div className="share-tabs segmented" role="tablist" aria-label="Sharing">
        <button type="button" role="tab" id={`${tabsId}-people`} aria-selected={tab === 'people'} aria-controls={`${tabsId}-people-panel`} onClick={() => setTab('people')}>
          <Icon name="user" size={13} /> People &amp; link
        </button>
        <button type="button" role="tab" id={`${tabsId}-publish`} aria-selected={tab === 'publish'} aria-controls={`${tabsId}-publish-panel`} onClick={() => setTab('publish')}>
          <Icon name="globe" size={13} /> Publish to gallery
        </button>
      </div>
      {tab === 'people' ? (
        <div role="tabpanel" id={`${tabsId}-people-panel`} aria-labelledby={`${tabsId}-people`} className="share-panel">
          <PeopleSection experimentId={experimentId} owner={owner} />
          <LinkSection experimentId={experimentId} />
        </div>
      ) : (
        <div role="tabpanel" id={`${tabsId}-publish-panel`} aria-labelledby={`${tabsId}-publish`} className="share-panel">
          <PublishSection experimentId={experimentId} experimentName={experimentName} />
        </div>
      )}
    </Dialog>
  )
}

// ---- people ---------------------------------------------------------------------------------------

function PeopleSection({ experimentId, owner }: { experimentId: number; owner: User }) {
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

// ---- the read-only link ---------------------------------------------------------------------------

function LinkSection({ experimentId }: { experimentId: number }) {
  const toast = useToast()
  const [link, setLink] = useState<Loaded<ShareLink | null>>({ state: 'loading' })
  const [busy, setBusy] = useState(false)
  const [copied, setCopied] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const switchId = useId()

  useEffect(() => {
    const controller = new AbortController()
    getLink(experimentId, controller.signal).then(
      (data) => setLink({ state: 'ready', data }),
      (error: unknown) => !controller.signal.aborted && setLink({ state: 'error', error: errorMessage(error) }),
    )
    return () => controller.abort()
  }, [experimentId])

  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 2000)
    return () => clearTimeout(timer)
  }, [copied])

  const on = link.state === 'ready' && link.data !== null
  const toggle = async () => {
    setBusy(true)
    try {
      if (on) {
        await deleteLink(experimentId)
        setLink({ state: 'ready', data: null })
        toast({ title: 'Link turned off', text: 'Anyone opening it now sees “not found”.' })
      } else {
        setLink({ state: 'ready', data: await createLink(experimentId) })
      }
    } catch (error) {
      toast({ tone: 'error', title: on ? 'Could not turn the link off' : 'Could not create the link', text: errorMessage(error) })
    } finally {
      setBusy(false)
    }
  }

  const copy = async () => {
    if (link.state !== 'ready' || !link.data) return
    if (await copyText(link.data.url, input.current)) setCopied(true)
    else toast({ tone: 'warning', title: 'Could not copy', text: 'Select the address and copy it by hand.' })
  }

  return (
    <section className={`share-section share-link${on ? ' is-on' : ''}`} aria-labelledby={`${switchId}-label`}>
      <div className="share-link-head">
        <span className="share-link-icon" aria-hidden="true">
          <Icon name={on ? 'link' : 'lock'} size={15} />
        </span>
        <div className="share-link-text">
          <span className="share-section-title" id={`${switchId}-label`}>
            Read-only link
          </span>
          <span className="share-link-hint">
            {on
              ? 'Anyone with the link can see the graph and the latest run’s outputs, without signing in.'
              : 'Off: only the people above can open this experiment.'}
          </span>
        </div>
        {link.state === 'loading' ? <Spinner size={14} label="Loading the link" /> : null}
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={on}
          aria-labelledby={`${switchId}-label`}
          disabled={busy || link.state !== 'ready'}
          onClick={() => void toggle()}
          data-testid="link-switch"
        >
          <span className="switch-thumb" />
        </button>
      </div>
      {link.state === 'error' ? <p className="field-error">Could not load the link: {link.error}</p> : null}
      {link.state === 'ready' && link.data ? (
        <div className="share-link-url">
          <input ref={input} className="input" readOnly value={link.data.url} aria-label="Link address" data-testid="link-url" onFocus={(e) => e.currentTarget.select()} />
          <button type="button" className={`btn${copied ? ' is-copied' : ''}`} onClick={() => void copy()}>
            <Icon name={copied ? 'check' : 'copy'} />
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      ) : null}
    </section>
  )
}

// ---- publishing -----------------------------------------------------------------------------------

const SUMMARY_PLACEHOLDER = `What does this experiment show?

- the data and how it was prepared
- why **k = 3**
- what the clusters mean`

function PublishSection({ experimentId, experimentName }: { experimentId: number; experimentName: string }) {
  const toast = useToast()
  const [entry, setEntry] = useState<Loaded<GalleryEntry | null>>({ state: 'loading' })
  const [draft, setDraft] = useState<PublishDraft>({ title: experimentName, tags: '', summary: '' })
  const [busy, setBusy] = useState<'publish' | 'unpublish' | null>(null)
  const [touched, setTouched] = useState(false)
  const ids = useId()

  const fill = useCallback((published: GalleryEntry | null) => {
    setEntry({ state: 'ready', data: published })
    if (published) setDraft({ title: published.title, tags: published.tags.join(', '), summary: published.summary_markdown })
  }, [])

  useEffect(() => {
    const controller = new AbortController()
    getPublication(experimentId, controller.signal).then(fill, (error: unknown) => {
      if (!controller.signal.aborted) setEntry({ state: 'error', error: errorMessage(error) })
    })
    return () => controller.abort()
  }, [experimentId, fill])

  const published = entry.state === 'ready' ? entry.data : null
  const problem = publishProblem(draft)
  const tags = parseTags(draft.tags)

  const publish = async (event: FormEvent) => {
    event.preventDefault()
    setTouched(true)
    if (problem) return
    setBusy('publish')
    try {
      const saved = await publishExperiment(experimentId, { title: draft.title.trim(), summary_markdown: draft.summary, tags })
      fill(saved)
      toast({ tone: 'success', title: published ? 'Gallery entry updated' : 'Published to the gallery', text: 'Anyone can find it and open it in Studio.' })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not publish', text: errorMessage(error) })
    } finally {
      setBusy(null)
    }
  }

  const unpublish = async () => {
    setBusy('unpublish')
    try {
      await unpublishExperiment(experimentId)
      setEntry({ state: 'ready', data: null })
      toast({ title: 'Taken out of the gallery' })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not unpublish', text: errorMessage(error) })
    } finally {
      setBusy(null)
    }
  }

  if (entry.state === 'loading') {
    return (
      <div className="share-loading">
        <Spinner size={16} label="Loading the gallery entry" />
      </div>
    )
  }

  return (
    <form className="share-section publish-form" onSubmit={publish} noValidate>
      <div className={`publish-status${published ? ' is-published' : ''}`} data-testid="publish-status">
        <Icon name={published ? 'globe' : 'lock'} size={14} />
        {published ? (
          <span>
            In the gallery since <span title={absoluteTime(published.published_at)}>{relativeTime(published.published_at)}</span> ·{' '}
            <Link to={`/gallery/${experimentId}`} target="_blank" rel="noopener">
              View entry
            </Link>
          </span>
        ) : (
          <span>Not published. Publishing lists the graph and its latest run in the public gallery, where anyone can open a copy.</span>
        )}
      </div>
      {entry.state === 'error' ? <p className="field-error">Could not load the gallery entry: {entry.error}</p> : null}
      <div className="publish-row">
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-title`}>
            Title
          </label>
          <input
            id={`${ids}-title`}
            className="input"
            value={draft.title}
            maxLength={255}
            onChange={(e) => setDraft((d) => ({ ...d, title: e.target.value }))}
            aria-invalid={touched && !draft.title.trim() ? true : undefined}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-tags`}>
            Tags
          </label>
          <input
            id={`${ids}-tags`}
            className="input"
            value={draft.tags}
            placeholder="iris, k-means, tutorial"
            onChange={(e) => setDraft((d) => ({ ...d, tags: e.target.value }))}
            aria-describedby={`${ids}-tags-hint`}
          />
          <span id={`${ids}-tags-hint`} className="publish-tags" aria-live="polite">
            {tags.length ? tags.map((tag) => <span key={tag} className="tag-chip is-static">{tag}</span>) : <span className="field-hint">Separate tags with commas</span>}
          </span>
        </div>
      </div>
      <div className="publish-summary">
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-summary`}>
            Summary <span className="field-label-note">markdown</span>
          </label>
          <textarea
            id={`${ids}-summary`}
            className="textarea publish-summary-input"
            value={draft.summary}
            placeholder={SUMMARY_PLACEHOLDER}
            onChange={(e) => setDraft((d) => ({ ...d, summary: e.target.value }))}
            spellCheck
          />
          <span className="field-hint">**bold**, *italic*, lists, `code`, [links](https://…). HTML is not rendered.</span>
        </div>
        <div className="field">
          <span className="field-label" id={`${ids}-preview`}>
            Preview
          </span>
          <div className="publish-preview" aria-labelledby={`${ids}-preview`} role="region" data-testid="summary-preview">
            {draft.summary.trim() ? <Markdown>{draft.summary}</Markdown> : <p className="publish-preview-empty">The rendered summary appears here as you type.</p>}
          </div>
        </div>
      </div>
      {touched && problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="publish-actions">
        {published ? (
          <button type="button" className="btn btn-danger-outline" onClick={() => void unpublish()} disabled={busy !== null}>
            {busy === 'unpublish' ? <Spinner size={12} /> : null}
            Unpublish
          </button>
        ) : null}
        <span className="publish-actions-spacer" />
        <button type="submit" className="btn btn-primary" disabled={busy !== null}>
          {busy === 'publish' ? <Spinner size={12} /> : <Icon name="globe" />}
          {published ? 'Update' : 'Publish'}
        </button>
      </div>
    </form>
  )
}
