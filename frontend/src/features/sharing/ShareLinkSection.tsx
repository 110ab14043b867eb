import { useEffect, useId, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { createLink, deleteLink, getLink } from '../../api/endpoints'
import type { ShareLink } from '../../api/types'
import { Icon, Spinner } from '../../ui/icons'
import { useToast } from '../../ui/Toasts'
import type { Loaded } from './shareLogic'

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

/** The Share dialog's read-only link: turning it on or off, and copying it. */
export function LinkSection({ experimentId }: { experimentId: number }) {
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
