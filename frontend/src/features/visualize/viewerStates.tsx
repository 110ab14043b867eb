import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../../api/client'

export type Load<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; error: unknown }

/** A fetch that reloads when its key changes, aborting the previous one. */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): [Load<T>, () => void] {
  const [result, setResult] = useState<{ key: string | null; load: Load<T> }>({ key, load: { state: 'loading' } })
  const [generation, setGeneration] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    if (key === null) return
    const controller = new AbortController()
    setResult((current) => (current.key === key && current.load.state === 'ready' ? current : { key, load: { state: 'loading' } }))
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key, load: { state: 'ready', data } })
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ key, load: { state: 'error', error } })
      },
    )
    return () => controller.abort()
  }, [key, generation])
  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  return [result.key === key ? result.load : { state: 'loading' }, reload]
}

export function errorMessage(error: unknown): { title: string; detail: string; retry: boolean } {
  if (error instanceof ApiError) {
    if (error.status === 404) {
      return {
        title: 'This output is no longer available',
        detail: `${error.message}. Run the experiment again to recreate it.`,
        retry: false,
      }
    }
    if (error.status === 401) return { title: 'Sign in to see this output', detail: 'Your session has ended.', retry: false }
    if (error.status === 403) return { title: 'You cannot see this output', detail: error.message, retry: false }
    if (error.status === 0) return { title: 'The server could not be reached', detail: 'Check your connection, then retry.', retry: true }
    return { title: 'This output could not be loaded', detail: error.message, retry: true }
  }
  return { title: 'This output could not be shown', detail: error instanceof Error ? error.message : String(error), retry: true }
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { title, detail, retry } = errorMessage(error)
  const signIn = error instanceof ApiError && error.status === 401
  return (
    <div className="viewer-state viewer-error" role="alert" data-testid="output-error">
      <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
        <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <path d="M12 7v6.5M12 16.6v.4" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      </svg>
      <h3>{title}</h3>
      <p>{detail}</p>
      {retry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
      {signIn ? (
        <a className="btn btn-small btn-primary" href={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>
          Sign in
        </a>
      ) : null}
    </div>
  )
}
