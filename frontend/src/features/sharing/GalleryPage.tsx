import { useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { errorMessage } from '../../api/client'
import { getGallery } from '../../api/endpoints'
import type { GalleryEntry, ListOf } from '../../api/types'
import { Header } from '../../app/Header'
import { Icon, Spinner } from '../../ui/icons'
import { Markdown } from '../../ui/Markdown'
import { absoluteTime, relativeTime } from '../../ui/time'
import { tagCounts } from './shareLogic'
import '../experiments/experiments.css'
import './sharing.css'
import './gallery.css'

const SEARCH_DEBOUNCE_MS = 250

type Loaded = { state: 'loading' } | { state: 'ready'; data: ListOf<GalleryEntry> } | { state: 'error'; error: string }

function useGallery(q: string, tag: string): [Loaded, () => void] {
  const [result, setResult] = useState<Loaded>({ state: 'loading' })
  const [generation, setGeneration] = useState(0)
  useEffect(() => {
    const controller = new AbortController()
    getGallery({ q, tag }, controller.signal).then(
      (data) => setResult({ state: 'ready', data }),
      (error: unknown) => !controller.signal.aborted && setResult({ state: 'error', error: errorMessage(error) }),
    )
    return () => controller.abort()
  }, [q, tag, generation])
  return [result, useCallback(() => setGeneration((g) => g + 1), [])]
}

/** /gallery — published experiments; search and tag filters live in the address (?q=&tag=). */
export function GalleryPage() {
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const tag = params.get('tag') ?? ''
  const [typed, setTyped] = useState(q)
  const [entries, reload] = useGallery(q, tag)
  // The tag chips come from the search without the tag filter, so the other tags stay offered.
  const [untagged] = useGallery(q, '')

  useEffect(() => setTyped(q), [q])
  useEffect(() => {
    if (typed.trim() === q) return
    const timer = setTimeout(
      () =>
        setParams(
          (current) => {
            const next = new URLSearchParams(current)
            if (typed.trim()) next.set('q', typed.trim())
            else next.delete('q')
            return next
          },
          { replace: true },
        ),
      SEARCH_DEBOUNCE_MS,
    )
    return () => clearTimeout(timer)
  }, [typed, q, setParams])

  const toggleTag = useCallback(
    (value: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current)
        if (current.get('tag')?.toLowerCase() === value.toLowerCase()) next.delete('tag')
        else next.set('tag', value)
        return next
      }),
    [setParams],
  )

  const chips = useMemo(() => {
    const counted = untagged.state === 'ready' ? tagCounts(untagged.data.data) : []
    if (tag && !counted.some((c) => c.tag.toLowerCase() === tag.toLowerCase())) counted.unshift({ tag, count: 0 })
    return counted
  }, [untagged, tag])

  const list = entries.state === 'ready' ? entries.data.data : []
  const filtered = !!(q || tag)

  return (
    <div className="page-shell">
      <Header root="gallery" onGalleryPage />
      <main className="experiments-page gallery-page">
        <div className="gallery-hero">
          <div>
            <h1 className="experiments-title">Gallery</h1>
            <p className="experiments-subtitle">Clustering experiments people published. Open one, look at its results, open it in Studio to make it yours.</p>
          </div>
          <div className="gallery-search">
            <Icon name="search" size={14} className="gallery-search-icon" />
            <input
              type="search"
              className="input"
              placeholder="Search titles and summaries"
              aria-label="Search the gallery"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </div>
        </div>
        {chips.length ? (
          <div className="gallery-tags gallery-filter" role="group" aria-label="Filter by tag">
            {chips.map(({ tag: value, count }) => (
              <button key={value} type="button" className="tag-chip" aria-pressed={value.toLowerCase() === tag.toLowerCase()} onClick={() => toggleTag(value)}>
                {value}
                {count ? <span className="tag-chip-count">{count}</span> : null}
              </button>
            ))}
            {tag ? (
              <button type="button" className="link-btn gallery-clear" onClick={() => toggleTag(tag)}>
                Clear filter
              </button>
            ) : null}
          </div>
        ) : null}
        {entries.state === 'loading' ? (
          <div className="experiments-loading" aria-busy="true">
            <Spinner size={18} label="Loading the gallery" />
          </div>
        ) : entries.state === 'error' ? (
          <div className="empty-state" role="alert">
            <p className="empty-state-title">The gallery could not be loaded</p>
            <p>{entries.error}</p>
            <button type="button" className="btn" onClick={reload}>
              Try again
            </button>
          </div>
        ) : list.length === 0 ? (
          <div className="empty-state gallery-empty">
            <Icon name="globe" size={28} />
            <p className="empty-state-title">{filtered ? 'Nothing matches' : 'Nothing published yet'}</p>
            <p>{filtered ? 'Try other words, or another tag.' : 'Publish an experiment from its Share dialog in the editor, and it appears here.'}</p>
          </div>
        ) : (
          <>
            <p className="gallery-count" role="status">
              {list.length} experiment{list.length === 1 ? '' : 's'}
              {tag ? ` tagged “${tag}”` : ''}
              {q ? ` matching “${q}”` : ''}
            </p>
            <ul className="gallery-grid">
              {list.map((entry) => (
                <GalleryCard key={entry.id} entry={entry} activeTag={tag} onTag={toggleTag} />
              ))}
            </ul>
          </>
        )}
      </main>
    </div>
  )
}

function GalleryCard({ entry, activeTag, onTag }: { entry: GalleryEntry; activeTag: string; onTag: (tag: string) => void }) {
  return (
    <li className="gallery-card" data-testid="gallery-card" data-id={entry.id}>
      <div className="gallery-card-top">
        <span className="gallery-card-avatar" aria-hidden="true">
          {entry.owner.username.slice(0, 1).toUpperCase()}
        </span>
        <span className="gallery-card-byline">
          <span className="gallery-card-owner">{entry.owner.username}</span>
          <span className="gallery-card-date" title={absoluteTime(entry.published_at)}>
            {relativeTime(entry.published_at)}
          </span>
        </span>
      </div>
      <h2 className="gallery-card-title">
        <Link to={`/gallery/${entry.id}`} className="gallery-card-link">
          {entry.title}
        </Link>
      </h2>
      {entry.summary_markdown.trim() ? (
        <Markdown variant="excerpt" className="gallery-card-summary">
          {entry.summary_markdown}
        </Markdown>
      ) : (
        <p className="gallery-card-summary is-empty">No summary.</p>
      )}
      <div className="gallery-card-foot">
        <span className="gallery-tags">
          {entry.tags.map((tag) => (
            <button key={tag} type="button" className="tag-chip" aria-pressed={tag.toLowerCase() === activeTag.toLowerCase()} onClick={() => onTag(tag)}>
              {tag}
            </button>
          ))}
        </span>
        <span className="gallery-card-open" aria-hidden="true">
          Open <Icon name="open" size={11} />
        </span>
      </div>
    </li>
  )
}
