import { useState } from 'react'
import type { ParamSpec } from '../../api/types'
import type { ParamFieldProps } from './paramFieldTypes'

/** What a number box's text stores: the number when it parses, else the text (marked invalid). */
function numberValue(text: string, integer: boolean): unknown {
  const trimmed = text.trim()
  if (trimmed === '') return ''
  if (integer ? /^[+-]?\d+$/.test(trimmed) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const n = Number(trimmed)
    if (Number.isFinite(n) && (!integer || Number.isSafeInteger(n))) return n
  }
  return trimmed
}

export function asText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return String(value)
}

/** A number box that keeps what the user types ("1.", "-") while storing the parsed value. */
export function NumberInput({
  id,
  param,
  value,
  integer,
  invalid,
  describedBy,
  disabled,
  placeholder,
  onChange,
  onCommit,
}: {
  id: string
  param: ParamSpec
  value: unknown
  integer: boolean
  invalid: boolean
  describedBy?: string
  disabled?: boolean
  placeholder?: string
  onChange: ParamFieldProps['onChange']
  onCommit: () => void
}) {
  const [text, setText] = useState(asText(value))
  // Follow outside changes (undo, another node) but not our own typing: when the value changes,
  // the text is replaced only if it does not already stand for the new value.
  const [followed, setFollowed] = useState(value)
  if (value !== followed) {
    setFollowed(value)
    if (numberValue(text, integer) !== value && !(value === '' && text.trim() === '')) setText(asText(value))
  }
  return (
    <input
      id={id}
      className="input"
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      step={integer ? 1 : 'any'}
      min={param.min ?? undefined}
      max={param.max ?? undefined}
      value={text}
      placeholder={placeholder}
      disabled={disabled}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      onChange={(event) => {
        setText(event.target.value)
        onChange(numberValue(event.target.value, integer), { coalesce: true })
      }}
      onBlur={onCommit}
    />
  )
}
