import type { ReactNode } from 'react'
import { Icon } from '../../ui/icons'
import { sharedNote } from './shareLogic'
import './sharing.css'

/**
 * Wraps a control that may be disabled: a disabled button gets no pointer events in some browsers,
 * so the reason is on the wrapper too (its tooltip), and in an accessible description.
 */
export function DisabledReason({ reason, children }: { reason: string | null; children: ReactNode }) {
  if (!reason) return <>{children}</>
  return (
    <span className="disabled-reason" title={reason} data-reason={reason}>
      {children}
    </span>
  )
}

/** "Shared by alice · you can edit" — the small note an editor sees in the header. */
export function SharedNote({ owner, role }: { owner: string; role: string }) {
  return (
    <span className="shared-note" data-testid="shared-note" title={`${owner} owns this experiment and shared it with you`}>
      <span className="share-avatar" aria-hidden="true">
        {owner.slice(0, 1).toUpperCase()}
      </span>
      {sharedNote(role, owner)}
    </span>
  )
}

/** The strip under the header of a read-only experiment: whose it is, and what one can do. */
export function ShareStrip({
  title,
  detail,
  tone = 'shared',
  children,
}: {
  title: ReactNode
  detail?: ReactNode
  tone?: 'shared' | 'public'
  children?: ReactNode
}) {
  return (
    <div className={`share-strip is-${tone}`} role="region" aria-label="Read-only" data-testid="readonly-share-banner">
      <span className="share-strip-icon" aria-hidden="true">
        <Icon name={tone === 'public' ? 'globe' : 'eye'} size={15} />
      </span>
      <span className="share-strip-text">
        <span className="share-strip-title">{title}</span>
        {detail ? <span className="share-strip-detail">{detail}</span> : null}
      </span>
      {children ? <span className="share-strip-actions">{children}</span> : null}
    </div>
  )
}
