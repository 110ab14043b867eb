import { Icon, Spinner } from './icons'

const LABELS: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  cached: 'Cached',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  idle: 'Not run',
}

export function statusLabel(status: string): string {
  return LABELS[status] ?? status
}

/** A small coloured label of a run or node status. */
export function StatusPill({ status, children }: { status: string; children?: React.ReactNode }) {
  return (
    <span className={`status-pill is-${status}`}>
      {status === 'running' ? (
        <Spinner size={10} />
      ) : status === 'succeeded' ? (
        <Icon name="check" size={11} />
      ) : status === 'cached' ? (
        <Icon name="cache" size={11} />
      ) : status === 'failed' ? (
        <Icon name="alert" size={11} />
      ) : status === 'queued' ? (
        <Icon name="clock" size={11} />
      ) : status === 'cancelled' || status === 'interrupted' ? (
        <Icon name="stop" size={10} />
      ) : null}
      {children ?? statusLabel(status)}
    </span>
  )
}
