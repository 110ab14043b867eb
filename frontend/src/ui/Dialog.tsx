import { useEffect, useId, useRef, type ReactNode } from 'react'
import { createPortal } from 'react-dom'
import './ui.css'

export interface DialogProps {
  title: ReactNode
  /** Accessible name when `title` is not plain text. */
  ariaLabel?: string
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  size?: 'small' | 'medium' | 'large' | 'full'
  /** Tone of the title icon. */
  tone?: 'default' | 'danger' | 'warning'
  /** Whether Escape and a click outside close it (default true). */
  dismissible?: boolean
  className?: string
  /** No header: the content brings its own title and close button (needs `ariaLabel`). */
  bare?: boolean
}

/** A modal dialog: focus moves in, Tab stays in, Escape closes, focus returns on close. */
export function Dialog({
  title,
  ariaLabel,
  onClose,
  children,
  footer,
  size = 'medium',
  tone = 'default',
  dismissible = true,
  className,
  bare = false,
}: DialogProps) {
  const titleId = useId()
  const panel = useRef<HTMLDivElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    const node = panel.current
    const focusable = node?.querySelector<HTMLElement>('[data-autofocus], input, select, textarea, button:not([data-dialog-close])')
    ;(focusable ?? node)?.focus()
    return () => previous?.focus?.()
  }, [])

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && dismissible) {
        event.stopPropagation()
        onCloseRef.current()
      }
      if (event.key === 'Tab' && panel.current) {
        const items = [...panel.current.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter(
          (el) => !el.hasAttribute('disabled'),
        )
        if (items.length === 0) return
        const first = items[0]
        const last = items[items.length - 1]
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault()
          last.focus()
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault()
          first.focus()
        }
      }
    }
    document.addEventListener('keydown', onKey, true)
    return () => document.removeEventListener('keydown', onKey, true)
  }, [dismissible])

  return createPortal(
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (dismissible && event.target === event.currentTarget) onClose()
      }}
    >
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={ariaLabel ? undefined : titleId}
        aria-label={ariaLabel}
        tabIndex={-1}
        className={`dialog dialog-${size} tone-${tone}${className ? ` ${className}` : ''}`}
        onKeyDown={(event) => event.stopPropagation()}
      >
        {bare ? null : <div className="dialog-header">
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {dismissible ? (
            <button type="button" className="icon-btn" aria-label="Close" data-dialog-close onClick={onClose}>
              <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
            </button>
          ) : null}
        </div>}
        <div className={`dialog-body${bare ? ' is-bare' : ''}`}>{children}</div>
        {footer ? <div className="dialog-footer">{footer}</div> : null}
      </div>
    </div>,
    document.body,
  )
}
