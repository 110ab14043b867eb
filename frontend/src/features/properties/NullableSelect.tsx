import type { ReactNode } from 'react'
import type { FieldWiring } from './paramFieldTypes'

/**
 * A drop-down whose empty first choice means null, and which keeps a saved value the list no longer
 * offers (shown as `${value} ${unknownNote}`) instead of silently replacing it.
 */
export function NullableSelect({
  wiring,
  value,
  known,
  emptyLabel,
  unknownNote,
  readOnly,
  onChange,
  children,
}: {
  wiring: FieldWiring
  value: string
  known: boolean
  emptyLabel: string
  unknownNote: string
  readOnly?: boolean
  onChange: (value: string | null) => void
  children: ReactNode
}) {
  return (
    <select
      id={wiring.id}
      className="select"
      value={value}
      disabled={readOnly}
      aria-invalid={wiring.invalid || undefined}
      aria-describedby={wiring.describedBy}
      onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
    >
      <option value="">{emptyLabel}</option>
      {value && !known ? (
        <option value={value}>
          {value} {unknownNote}
        </option>
      ) : null}
      {children}
    </select>
  )
}
