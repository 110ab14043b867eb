import { useCallback, useEffect, useId, useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { errorMessage } from '../../api/client'
import { getPublication, publishExperiment, unpublishExperiment } from '../../api/endpoints'
import type { GalleryEntry } from '../../api/types'
import { Icon, Spinner } from '../../ui/icons'
import { Markdown } from '../../ui/Markdown'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'
import { parseTags, publishProblem, type Loaded, type PublishDraft } from './shareLogic'

const SUMMARY_PLACEHOLDER = `What does this experiment show?

- the data and how it was prepared
- why **k = 3**
- what the clusters mean`

/** The Share dialog's gallery tab: publishing with a title, tags and a markdown summary (previewed), or unpublishing. */
export function PublishSection({ experimentId, experimentName }: { experimentId: number; experimentName: string }) {
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
