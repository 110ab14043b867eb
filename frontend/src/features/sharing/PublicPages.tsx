import { useCallback, useEffect, useState } from 'react'
import { Link, useParams } from 'react-router'
import { ApiError, errorMessage, isNotFound } from '../../api/client'
import { galleryApiBase, getGalleryEntry, getPublicExperiment, openFromGallery, openFromLink, publicApiBase } from '../../api/endpoints'
import type { GalleryEntry, PublicExperiment } from '../../api/types'
import { Header } from '../../app/Header'
import { NotFoundPage } from '../../app/NotFoundPage'
import { Icon, Spinner } from '../../ui/icons'
import { Markdown } from '../../ui/Markdown'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useAuth } from '../auth/AuthContext'
import { ReadOnlyExperiment } from './ReadOnlyExperiment'
import { ShareStrip } from './SharedBanners'
import { useOpenInStudio, useVisitorCatalogue } from './useOpenInStudio'
import './sharing.css'

type Loaded<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'missing' } | { state: 'error'; error: string }

function useLoaded<T>(load: (signal: AbortSignal) => Promise<T>): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' })
  const [generation, setGeneration] = useState(0)
  useEffect(() => {
    const controller = new AbortController()
    setResult({ state: 'loading' })
    load(controller.signal).then(
      (data) => setResult({ state: 'ready', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return
        setResult(isNotFound(error) ? { state: 'missing' } : { state: 'error', error: errorMessage(error) })
      },
    )
    return () => controller.abort()
  }, [load, generation])
  return [result, useCallback(() => setGeneration((g) => g + 1), [])]
}

function Loading() {
  return (
    <div className="page-loading" aria-busy="true">
      <Spinner size={20} label="Loading" />
    </div>
  )
}

function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="not-found-page">
      <main className="not-found" role="alert">
        <h1>This could not be loaded</h1>
        <p>{message}</p>
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      </main>
    </div>
  )
}

function OpenInStudioButton({ busy, onClick }: { busy: boolean; onClick: () => void }) {
  return (
    <button type="button" className="btn btn-small btn-primary" onClick={onClick} disabled={busy} title="Copy it into your workspace: the graph and the datasets it uses">
      {busy ? <Spinner size={12} /> : <Icon name="open" size={12} />}
      Open in Studio
    </button>
  )
}

function stripDetail(signedIn: boolean, isOwner: boolean): string {
  if (isOwner) return 'This is how others see it: the graph and the latest run’s outputs, read-only.'
  return signedIn
    ? 'Look at the graph and the latest run’s outputs. Open in Studio makes a copy of your own, with the datasets it uses.'
    : 'Look at the graph and the latest run’s outputs. Open in Studio to get a copy of your own — you sign up or in first.'
}

/** /shared/:token — the experiment behind a read-only link; works signed out. */
export function SharedLinkPage() {
  const { token = '' } = useParams()
  const { user } = useAuth()
  const load = useCallback((signal: AbortSignal) => getPublicExperiment(token, signal), [token])
  const [experiment, reload] = useLoaded(load)
  const open = useCallback(() => openFromLink(token), [token])
  const { busy, openInStudio } = useOpenInStudio(experiment.state === 'ready' ? open : null)
  const { ready, catalogue } = useVisitorCatalogue()

  if (experiment.state === 'missing') {
    return <NotFoundPage title="This link does not work" text="Its owner turned it off, or the address is mistyped." linkTo="/gallery" linkLabel="Browse the gallery" />
  }
  if (experiment.state === 'error') return <LoadError message={experiment.error} onRetry={reload} />
  if (experiment.state === 'loading' || !ready) return <Loading />
  const data = experiment.data
  const isOwner = !!user && user.id === data.owner.id
  return (
    <ReadOnlyExperiment
      experiment={data}
      catalogue={catalogue}
      apiBase={publicApiBase(token)}
      header={<Header root="none" crumb={<span className="breadcrumb-current experiment-name">{data.name}</span>} />}
      strip={
        <ShareStrip tone="public" title={`Shared by ${data.owner.username} · read-only link`} detail={stripDetail(!!user, isOwner)}>
          {isOwner ? (
            <Link className="btn btn-small btn-primary" to={`/experiments/${data.id}`}>
              <Icon name="edit" size={12} />
              Open in the editor
            </Link>
          ) : (
            <OpenInStudioButton busy={busy} onClick={() => void openInStudio()} />
          )}
        </ShareStrip>
      }
    />
  )
}

/** /gallery/:id — a published experiment, read-only, with its gallery entry; works signed out. */
export function GalleryEntryPage() {
  const { id } = useParams()
  const experimentId = Number(id)
  const { user } = useAuth()
  const load = useCallback(
    async (signal: AbortSignal): Promise<{ experiment: PublicExperiment; entry: GalleryEntry | null }> => {
      if (!Number.isInteger(experimentId) || experimentId <= 0) throw new ApiError(404, 'Not in the gallery')
      const experiment = await getGalleryEntry(experimentId, signal)
      return { experiment, entry: experiment.publication ?? null }
    },
    [experimentId],
  )
  const [loaded, reload] = useLoaded(load)
  const open = useCallback(() => openFromGallery(experimentId), [experimentId])
  const { busy, openInStudio } = useOpenInStudio(loaded.state === 'ready' ? open : null)
  const { ready, catalogue } = useVisitorCatalogue()

  if (loaded.state === 'missing') {
    return <NotFoundPage title="Not in the gallery" text="It may have been unpublished by its owner." linkTo="/gallery" linkLabel="Browse the gallery" />
  }
  if (loaded.state === 'error') return <LoadError message={loaded.error} onRetry={reload} />
  if (loaded.state === 'loading' || !ready) return <Loading />
  const { experiment, entry } = loaded.data
  const isOwner = !!user && user.id === experiment.owner.id
  const title = entry?.title ?? experiment.name
  return (
    <ReadOnlyExperiment
      experiment={experiment}
      catalogue={catalogue}
      apiBase={galleryApiBase(experiment.id)}
      title={title}
      header={<Header root="gallery" crumb={<span className="breadcrumb-current experiment-name">{title}</span>} />}
      strip={
        <ShareStrip tone="public" title={`Published by ${experiment.owner.username} · read-only`} detail={stripDetail(!!user, isOwner)}>
          {isOwner ? (
            <Link className="btn btn-small" to={`/experiments/${experiment.id}`}>
              <Icon name="edit" size={12} />
              Open in the editor
            </Link>
          ) : null}
          <OpenInStudioButton busy={busy} onClick={() => void openInStudio()} />
        </ShareStrip>
      }
      about={
        entry ? (
          <section className="public-section gallery-entry-about" data-testid="gallery-entry">
            <p className="public-byline">
              Published <span title={absoluteTime(entry.published_at)}>{relativeTime(entry.published_at)}</span>
              {entry.experiment_name && entry.experiment_name !== entry.title ? ` · experiment “${entry.experiment_name}”` : ''}
            </p>
            {entry.tags.length ? (
              <p className="gallery-tags">
                {entry.tags.map((tag) => (
                  <Link key={tag} className="tag-chip" to={`/gallery?tag=${encodeURIComponent(tag)}`}>
                    {tag}
                  </Link>
                ))}
              </p>
            ) : null}
            {entry.summary_markdown.trim() ? (
              <div className="gallery-summary" data-testid="gallery-summary">
                <Markdown>{entry.summary_markdown}</Markdown>
              </div>
            ) : null}
          </section>
        ) : null
      }
    />
  )
}
