import { useCallback, useId } from 'react'
import { errorMessage } from '../../api/client'
import { getUsage, type UsageHour } from '../../api/services'
import { useApiResource } from '../../api/useApiResource'
import { Spinner } from '../../ui/icons'
import { absoluteTime } from '../../ui/time'

const REFRESH_MS = 30_000
const WINDOW_HOURS = 24
const LISTED_HOURS = 48
const HOUR_MS = 3_600_000

const ms = (value: number | null) => (value === null || value === undefined ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`)

/** An hour as the server sends it (UTC; naive timestamps are UTC too). */
const hourDate = (hour: string) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(hour) ? hour : `${hour}Z`)

const hourLabel = (date: Date) => date.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })

/** "1.5 %", "0 %", "0.04 %": one decimal, two under one percent so a few errors still show. */
function percent(fraction: number): string {
  const value = fraction * 100
  return `${Number(value.toFixed(value > 0 && value < 1 ? 2 : 1))} %`
}

interface Slot {
  start: Date
  usage: UsageHour | null
}

/** The last 24 hours, one slot each (empty when there was no request), ending with the current hour. */
export function lastHours(hours: readonly UsageHour[], now: Date = new Date()): Slot[] {
  const byStart = new Map(hours.map((h) => [hourDate(h.hour).getTime(), h]))
  const newest = Math.max(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS, ...byStart.keys())
  return Array.from({ length: WINDOW_HOURS }, (_, i) => {
    const start = newest - (WINDOW_HOURS - 1 - i) * HOUR_MS
    return { start: new Date(start), usage: byStart.get(start) ?? null }
  })
}

function Totals({ slots }: { slots: Slot[] }) {
  const used = slots.flatMap((slot) => (slot.usage ? [slot.usage] : []))
  const sum = (pick: (h: UsageHour) => number) => used.reduce((total, h) => total + pick(h), 0)
  const requests = sum((h) => h.requests)
  const errors = sum((h) => h.errors)
  const figures = [
    { label: 'Requests', value: requests.toLocaleString('en') },
    { label: 'Rows scored', value: sum((h) => h.rows).toLocaleString('en') },
    { label: 'Errors', value: `${errors.toLocaleString('en')}${requests ? ` (${percent(errors / requests)})` : ''}` },
    { label: 'p95 latency, latest hour', value: ms(used[used.length - 1]?.p95_ms ?? null) },
  ]
  return (
    <dl className="service-figures">
      {figures.map((figure) => (
        <div key={figure.label} className="service-figure">
          <dt>{figure.label}</dt>
          <dd>{figure.value}</dd>
        </div>
      ))}
    </dl>
  )
}

/** Requests per hour as bars (errors in red on top), the newest on the right. */
function RequestBars({ slots }: { slots: Slot[] }) {
  const top = Math.max(1, ...slots.map((slot) => slot.usage?.requests ?? 0))
  return (
    <figure className="service-chart">
      <div className="service-bars" role="img" aria-label="Requests per hour over the last 24 hours">
        {slots.map(({ start, usage }) => (
          <span key={start.getTime()} className="service-bar" title={`${hourLabel(start)}: ${usage?.requests ?? 0} requests, ${usage?.errors ?? 0} errors`}>
            {usage ? (
              <>
                <span className="service-bar-ok" style={{ height: `${((usage.requests - usage.errors) / top) * 100}%` }} />
                <span className="service-bar-error" style={{ height: `${(usage.errors / top) * 100}%` }} />
              </>
            ) : null}
          </span>
        ))}
      </div>
      <figcaption className="service-chart-axis">
        <span>{hourLabel(slots[0].start)}</span>
        <span>Requests per hour · peak {top.toLocaleString('en')}</span>
        <span>{hourLabel(slots[slots.length - 1].start)}</span>
      </figcaption>
    </figure>
  )
}

/** Usage per hour: requests, rows, errors and latency (p50, p95), as the service counted them. */
export function ServiceUsage({ serviceId }: { serviceId: string }) {
  const base = useId()
  const load = useCallback((signal: AbortSignal) => getUsage(serviceId, signal), [serviceId])
  const usage = useApiResource(load, { refreshMs: REFRESH_MS })
  const hours = [...(usage.data?.data ?? [])].sort((a, b) => hourDate(b.hour).getTime() - hourDate(a.hour).getTime())
  const slots = lastHours(hours)
  return (
    <section className="service-card" aria-labelledby={`${base}-title`}>
      <div className="service-card-head">
        <h2 id={`${base}-title`} className="service-card-title">
          Usage
        </h2>
        <p className="service-card-text">The last 24 hours, then every hour with traffic (times in your time zone). Refreshed every 30 s.</p>
      </div>
      {usage.state === 'loading' ? <Spinner size={14} label="Loading the usage" /> : null}
      {usage.state === 'error' ? <p className="field-error">The usage could not be loaded: {errorMessage(usage.error)}</p> : null}
      {usage.state === 'ready' && hours.length === 0 ? <p className="service-empty">No requests yet. Call the service, or use the test form above.</p> : null}
      {hours.length > 0 ? (
        <>
          <Totals slots={slots} />
          <RequestBars slots={slots} />
          <table className="service-table service-usage" aria-label="Usage per hour">
            <thead>
              <tr>
                <th scope="col">Hour</th>
                <th scope="col">Requests</th>
                <th scope="col">Rows</th>
                <th scope="col">Errors</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
              </tr>
            </thead>
            <tbody>
              {hours.slice(0, LISTED_HOURS).map((h) => (
                <tr key={h.hour}>
                  <td title={absoluteTime(h.hour)}>{hourLabel(hourDate(h.hour))}</td>
                  <td>{h.requests.toLocaleString('en')}</td>
                  <td>{h.rows.toLocaleString('en')}</td>
                  <td className={h.errors ? 'is-bad' : undefined}>{h.errors.toLocaleString('en')}</td>
                  <td>{ms(h.p50_ms)}</td>
                  <td>{ms(h.p95_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  )
}
