import { useEffect, useId, useState } from 'react'
import type { ColumnInfo, Dataset, ParamSpec } from '../../api/types'
import { ColumnSetField } from './ColumnSetField'
import { describeBounds, fieldKind } from './paramSchema'
import { parseIntRange, previewValues } from './rangeBuilder'

export interface ColumnsInfo {
  columns: ColumnInfo[] | null
  /** Where the columns come from, e.g. "Iris" or "Iris (before the modules in between)". */
  source: string | null
  loading?: boolean
}

export interface ParamFieldProps {
  param: ParamSpec
  value: unknown
  /** The client-side problem with the value (marked at once), if any. */
  problem: string | null
  /** Problems the server found with this field. */
  serverMessages: string[]
  onChange: (value: unknown, options?: { coalesce?: boolean }) => void
  /** The field lost focus: typing in it ends one undo step. */
  onCommit: () => void
  columns?: ColumnsInfo
  datasets?: Dataset[]
  /** Other parameters' values (the default column set depends on the label column). */
  params: Record<string, unknown>
  readOnly?: boolean
}

function numberValue(text: string, integer: boolean): unknown {
  const trimmed = text.trim()
  if (trimmed === '') return ''
  if (integer ? /^[+-]?\d+$/.test(trimmed) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const n = Number(trimmed)
    if (Number.isFinite(n) && (!integer || Number.isSafeInteger(n))) return n
  }
  return trimmed
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return String(value)
}

/** A number box that keeps what the user types ("1.", "-") while storing the parsed value. */
function NumberInput({
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
  useEffect(() => {
    // Follow outside changes (undo, another node) but not our own typing.
    if (numberValue(text, integer) !== value && !(value === '' && text.trim() === '')) setText(asText(value))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value])
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

export function ParamField({ param, value, problem, serverMessages, onChange, onCommit, columns, datasets, params, readOnly }: ParamFieldProps) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const kind = fieldKind(param)
  const message = problem ?? serverMessages[0] ?? null
  const invalid = message !== null
  const describedBy = [invalid ? errorId : null, hintId].filter(Boolean).join(' ') || undefined
  const bounds = describeBounds(param)

  let control: React.JSX.Element
  let hint: React.ReactNode = null
  let labelAfter = false

  switch (kind) {
    case 'number': {
      control = (
        <NumberInput
          id={id}
          param={param}
          value={value}
          integer={param.type === 'int'}
          invalid={invalid}
          describedBy={describedBy}
          disabled={readOnly}
          onChange={onChange}
          onCommit={onCommit}
        />
      )
      hint = bounds ? `${param.type === 'int' ? 'Whole number' : 'Number'} ${bounds.startsWith('≥') || bounds.startsWith('>') || bounds.startsWith('≤') || bounds.startsWith('<') ? bounds : `from ${bounds}`}` : null
      break
    }
    case 'seed': {
      const random = value === null || value === undefined
      control = (
        <div className="seed-field">
          <NumberInput
            id={id}
            param={param}
            value={random ? '' : value}
            integer
            invalid={invalid}
            describedBy={describedBy}
            disabled={readOnly || (random && !!param.nullable)}
            placeholder={random ? 'Random each run' : undefined}
            onChange={onChange}
            onCommit={onCommit}
          />
          {param.nullable ? (
            <label className="checkbox seed-random">
              <input
                type="checkbox"
                checked={random}
                disabled={readOnly}
                onChange={(event) => onChange(event.target.checked ? null : typeof param.default === 'number' ? param.default : 0)}
              />
              Pick at random
            </label>
          ) : null}
        </div>
      )
      hint = param.nullable && random ? 'A seed is drawn for each run and written to the log' : bounds ? `Whole number ${bounds.includes('…') ? `from ${bounds}` : bounds}` : null
      break
    }
    case 'checkbox':
      labelAfter = true
      control = (
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          disabled={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.checked)}
        />
      )
      break
    case 'select':
      control = (
        <select
          id={id}
          className="select"
          value={typeof value === 'string' ? value : ''}
          disabled={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value)}
        >
          {typeof value !== 'string' || !(param.choices ?? []).some((c) => c.value === value) ? <option value="">Choose…</option> : null}
          {(param.choices ?? []).map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      )
      break
    case 'multi': {
      const selected = Array.isArray(value) ? (value as unknown[]) : []
      control = (
        <div className="multi-choice" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
          {(param.choices ?? []).map((choice) => (
            <label key={choice.value} className="checkbox">
              <input
                type="checkbox"
                checked={selected.includes(choice.value)}
                disabled={readOnly}
                onChange={(event) => {
                  const order = (param.choices ?? []).map((c) => c.value)
                  const next = event.target.checked ? [...selected, choice.value] : selected.filter((v) => v !== choice.value)
                  onChange(order.filter((v) => next.includes(v)))
                }}
              />
              {choice.label}
            </label>
          ))}
        </div>
      )
      break
    }
    case 'range': {
      const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : ''
      const parsed = parseIntRange(text)
      control = (
        <input
          id={id}
          className="input range-input"
          value={text}
          disabled={readOnly}
          spellCheck={false}
          placeholder="e.g. 2-5, 10"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value, { coalesce: true })}
          onBlur={onCommit}
        />
      )
      hint =
        parsed.ok && !problem ? (
          <span className="range-preview" data-testid="range-preview">
            <span className="range-preview-count">
              {parsed.values.length} value{parsed.values.length === 1 ? '' : 's'}
            </span>
            {previewValues(parsed.values)}
          </span>
        ) : (
          `Comma-separated whole numbers and ranges${bounds ? `, each ${bounds}` : ''}`
        )
      break
    }
    case 'column': {
      const current = typeof value === 'string' ? value : ''
      const known = columns?.columns
      if (known) {
        control = (
          <select
            id={id}
            className="select"
            value={current}
            disabled={readOnly}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
          >
            <option value="">{param.nullable ? 'None' : 'Choose a column…'}</option>
            {current && !known.some((c) => c.name === current) ? <option value={current}>{current} (not in the input)</option> : null}
            {known.map((column) => (
              <option key={column.name} value={column.name}>
                {column.name} · {column.type}
              </option>
            ))}
          </select>
        )
        hint = columns?.source ? `Columns of ${columns.source}` : null
      } else {
        control = (
          <input
            id={id}
            className="input"
            value={current}
            disabled={readOnly}
            placeholder={param.nullable ? 'None' : 'Column name'}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            onChange={(event) => onChange(event.target.value === '' ? null : event.target.value, { coalesce: true })}
            onBlur={onCommit}
          />
        )
        hint = columns?.loading ? 'Loading the columns…' : 'Connect a dataset to pick from its columns'
      }
      break
    }
    case 'columns':
      control = (
        <ColumnSetField
          id={id}
          param={param}
          value={value}
          columns={columns}
          params={params}
          invalid={invalid}
          describedBy={describedBy}
          readOnly={readOnly}
          onChange={(next) => onChange(next)}
        />
      )
      break
    case 'dataset': {
      const current = typeof value === 'string' ? value : ''
      const list = datasets ?? []
      const mine = list.filter((d) => !d.sample)
      const samples = list.filter((d) => d.sample)
      control = (
        <select
          id={id}
          className="select"
          value={current}
          disabled={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">Choose a dataset…</option>
          {current && !list.some((d) => d.id === current) ? <option value={current}>{current} (not found)</option> : null}
          {mine.length ? (
            <optgroup label="My datasets">
              {mine.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </optgroup>
          ) : null}
          {samples.length ? (
            <optgroup label="Samples">
              {samples.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
      )
      const chosen = list.find((d) => d.id === current)
      hint = chosen ? (
        <>
          {chosen.n_rows.toLocaleString('en')} rows × {chosen.n_columns} columns
          <span className="dataset-columns" aria-label="Columns">
            {chosen.columns.slice(0, 16).map((column) => (
              <span key={column.name} className={`column-type type-${column.type}`} title={column.type}>
                {column.name}
              </span>
            ))}
            {chosen.columns.length > 16 ? <span className="column-type">+{chosen.columns.length - 16} more</span> : null}
          </span>
        </>
      ) : null
      break
    }
    default:
      control = (
        <input
          id={id}
          className="input"
          value={asText(value)}
          disabled={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value, { coalesce: true })}
          onBlur={onCommit}
        />
      )
  }

  const label =
    kind === 'multi' ? (
      <span id={`${id}-label`} className="field-label" title={param.description}>
        {param.name}
      </span>
    ) : (
      <label htmlFor={id} className="field-label" id={`${id}-label`} title={param.description}>
        {param.name}
      </label>
    )

  return (
    <div className={`field param-field kind-${kind}${invalid ? ' is-invalid' : ''}`} data-param={param.id}>
      {labelAfter ? (
        <div className="checkbox param-checkbox">
          {control}
          {label}
        </div>
      ) : (
        <>
          {label}
          {control}
        </>
      )}
      {invalid ? (
        <span id={errorId} className="field-error" role="alert">
          {message}
        </span>
      ) : null}
      {hint ? (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      ) : null}
      {invalid && serverMessages.length > 1 ? (
        serverMessages.slice(1).map((m) => (
          <span key={m} className="field-error">
            {m}
          </span>
        ))
      ) : null}
    </div>
  )
}
