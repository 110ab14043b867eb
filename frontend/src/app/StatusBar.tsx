import { ApiError } from '../api/client'
import type { Health } from '../api/types'
import type { Resource } from '../api/useApiResource'
import type { ValidationState } from '../features/validation/useGraphValidation'
import { Spinner } from '../ui/icons'

const DATABASE_LABEL: Record<string, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' }

export interface StatusBarProps {
  health: Resource<Health>
  nodeCount: number
  edgeCount: number
  validation?: { state: ValidationState; errors: number; warnings: number }
  readOnly?: boolean
  /** The keyboard hints (off on the read-only pages). */
  hints?: boolean
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

export function StatusBar({ health, nodeCount, edgeCount, validation, readOnly, hints = true }: StatusBarProps) {
  let tone: 'ok' | 'warn' | 'pending' = 'pending'
  let label = 'Connecting to server…'
  let detail: string | null = null
  if (health.state === 'ready') {
    const ok = health.data.status === 'ok'
    tone = ok ? 'ok' : 'warn'
    label = ok ? 'Server connected' : `Server ${health.data.status}`
    detail = [health.data.version ? `v${health.data.version}` : null, DATABASE_LABEL[health.data.database] ?? health.data.database]
      .filter(Boolean)
      .join(' · ')
  } else if (health.state === 'error') {
    tone = 'warn'
    const status = health.error instanceof ApiError ? health.error.status : 0
    label = status === 0 ? 'Server unreachable' : `Server error (${status})`
  }
  let check: React.ReactNode = null
  if (validation && !readOnly && nodeCount > 0) {
    if (validation.state === 'checking') {
      check = (
        <span className="status-item status-check is-checking">
          <Spinner size={9} /> Checking…
        </span>
      )
    } else if (validation.state === 'invalid') {
      check = (
        <span className="status-item status-check is-invalid" data-testid="validation-status">
          {plural(validation.errors, 'problem')}
          {validation.warnings ? ` · ${plural(validation.warnings, 'warning')}` : ''}
        </span>
      )
    } else if (validation.state === 'valid') {
      check = (
        <span className="status-item status-check is-valid" data-testid="validation-status">
          {validation.warnings ? `Ready to run · ${plural(validation.warnings, 'warning')}` : 'Ready to run'}
        </span>
      )
    } else if (validation.state === 'unavailable') {
      check = <span className="status-item status-check">Graph check unavailable</span>
    }
  }
  return (
    <footer className="status-bar" role="contentinfo">
      <span className={`status-health is-${tone}`} data-testid="server-status" role="status">
        <span className="status-dot" aria-hidden="true" />
        {label}
        {detail ? <span className="status-detail">{detail}</span> : null}
      </span>
      <span className="status-spacer" />
      {readOnly ? <span className="status-item status-readonly">Read-only</span> : null}
      {check}
      <span className="status-item">{plural(nodeCount, 'module')}</span>
      <span className="status-item">{plural(edgeCount, 'connection')}</span>
      {hints ? (
        <span className="status-item status-hint">
          <kbd>/</kbd> search · <kbd>Ctrl</kbd>+<kbd>S</kbd> save
        </span>
      ) : null}
    </footer>
  )
}
