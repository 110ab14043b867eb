// The dialog that edits a column set: pick names, or build rules (start from all/none, include or
// exclude by name or type), with a live preview of what the selection takes from the input table.

import { useMemo, useState } from 'react'
import type { ColumnInfo, ParamSpec } from '../../api/types'
import { Dialog } from '../../ui/Dialog'
import { Icon } from '../../ui/icons'
import { COLUMN_TYPES, evaluateSelection, type ColumnSelection, type RuleStep } from './columnSelection'

type Mode = 'names' | 'rules'

function initialRules(selection: ColumnSelection | null): { start: 'all' | 'none'; steps: RuleStep[] } {
  if (selection && 'rules' in selection) return { start: selection.rules.start, steps: selection.rules.steps.map((s) => ({ ...s })) }
  return { start: 'none', steps: [{ op: 'include', type: 'numeric' }] }
}

function initialNames(selection: ColumnSelection | null, columns: ColumnInfo[] | null, defaults?: string[]): string[] {
  if (selection && 'names' in selection) return [...selection.names]
  if (columns) {
    const evaluated = evaluateSelection(columns, selection, defaults)
    if (evaluated.ok) return evaluated.columns
  }
  return []
}

export function ColumnSetDialog({
  param,
  selection,
  columns,
  source,
  defaults,
  onClose,
  onApply,
}: {
  param: ParamSpec
  selection: ColumnSelection | null
  columns: ColumnInfo[] | null
  source: string | null
  defaults?: string[]
  onClose: () => void
  onApply: (selection: ColumnSelection | null) => void
}) {
  const [mode, setMode] = useState<Mode>(selection && 'rules' in selection ? 'rules' : 'names')
  const [names, setNames] = useState<string[]>(() => initialNames(selection, columns, defaults))
  const [rules, setRules] = useState(() => initialRules(selection))
  const [filter, setFilter] = useState('')
  const [typed, setTyped] = useState(() => initialNames(selection, columns, defaults).join('\n'))

  const draft = useMemo<ColumnSelection>(
    () => (mode === 'rules' ? { rules } : { names: columns ? names : typed.split(/[\n,]/).map((n) => n.trim()).filter(Boolean) }),
    [mode, rules, columns, names, typed],
  )
  const preview = useMemo(() => (columns ? evaluateSelection(columns, draft) : null), [columns, draft])
  const shown = columns?.filter((c) => c.name.toLowerCase().includes(filter.trim().toLowerCase())) ?? []
  const missing = columns && mode === 'names' ? names.filter((n) => !columns.some((c) => c.name === n)) : []

  const setStep = (index: number, step: RuleStep) => setRules((r) => ({ ...r, steps: r.steps.map((s, i) => (i === index ? step : s)) }))

  return (
    <Dialog
      title={`Select columns — ${param.name}`}
      size="medium"
      onClose={onClose}
      className="column-dialog"
      footer={
        <>
          {param.nullable ? (
            <button type="button" className="btn btn-ghost column-dialog-default" onClick={() => onApply(null)} title={param.default_columns}>
              Use default
            </button>
          ) : null}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={() => onApply(draft)}>
            Apply
          </button>
        </>
      }
    >
      <div className="column-dialog-head">
        <div className="segmented" role="tablist" aria-label="How to select">
          <button type="button" role="tab" aria-selected={mode === 'names'} onClick={() => setMode('names')}>
            By name
          </button>
          <button type="button" role="tab" aria-selected={mode === 'rules'} onClick={() => setMode('rules')}>
            With rules
          </button>
        </div>
        <span className="column-dialog-source">{source ? `Columns of ${source}` : 'No dataset connected: columns are not known yet'}</span>
      </div>

      {mode === 'names' ? (
        columns ? (
          <div className="column-names">
            <div className="column-names-tools">
              <input className="input" type="search" placeholder="Filter columns" aria-label="Filter columns" value={filter} onChange={(e) => setFilter(e.target.value)} />
              <button type="button" className="btn btn-small" onClick={() => setNames(columns.map((c) => c.name))}>
                All
              </button>
              <button type="button" className="btn btn-small" onClick={() => setNames([])}>
                None
              </button>
            </div>
            <ul className="column-names-list" aria-label="Columns">
              {shown.map((column) => (
                <li key={column.name}>
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={names.includes(column.name)}
                      onChange={(e) =>
                        setNames((list) => (e.target.checked ? [...list, column.name] : list.filter((n) => n !== column.name)))
                      }
                    />
                    <span className="column-name">{column.name}</span>
                    <span className={`column-type type-${column.type}`}>{column.type}</span>
                  </label>
                </li>
              ))}
              {shown.length === 0 ? <li className="column-names-empty">No column matches.</li> : null}
            </ul>
            {missing.length ? <p className="field-warning">Not in the input: {missing.join(', ')}</p> : null}
          </div>
        ) : (
          <div className="field">
            <label className="field-label" htmlFor="column-names-typed">
              Column names, one per line
            </label>
            <textarea id="column-names-typed" className="textarea" rows={6} value={typed} onChange={(e) => setTyped(e.target.value)} />
          </div>
        )
      ) : (
        <div className="column-rules">
          <div className="column-rule-start">
            <span className="field-label" id="rules-start-label">
              Begin with
            </span>
            <div className="segmented" role="group" aria-labelledby="rules-start-label">
              <button type="button" aria-pressed={rules.start === 'all'} onClick={() => setRules((r) => ({ ...r, start: 'all' }))}>
                All columns
              </button>
              <button type="button" aria-pressed={rules.start === 'none'} onClick={() => setRules((r) => ({ ...r, start: 'none' }))}>
                No columns
              </button>
            </div>
          </div>
          <ol className="column-rule-list">
            {rules.steps.map((step, index) => (
              <li key={index} className="column-rule">
                <select
                  className="select"
                  aria-label={`Rule ${index + 1}: include or exclude`}
                  value={step.op}
                  onChange={(e) => setStep(index, { ...step, op: e.target.value as 'include' | 'exclude' })}
                >
                  <option value="include">Include</option>
                  <option value="exclude">Exclude</option>
                </select>
                <select
                  className="select"
                  aria-label={`Rule ${index + 1}: what`}
                  value={'type' in step ? 'type' : 'names'}
                  onChange={(e) =>
                    setStep(index, e.target.value === 'type' ? { op: step.op, type: 'numeric' } : { op: step.op, names: [] })
                  }
                >
                  <option value="type">column type</option>
                  <option value="names">column names</option>
                </select>
                {'type' in step ? (
                  <select className="select" aria-label={`Rule ${index + 1}: column type`} value={step.type} onChange={(e) => setStep(index, { op: step.op, type: e.target.value })}>
                    {COLUMN_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                ) : (
                  <NamesPicker
                    label={`Rule ${index + 1}: column names`}
                    names={step.names}
                    columns={columns}
                    onChange={(list) => setStep(index, { op: step.op, names: list })}
                  />
                )}
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Remove rule ${index + 1}`}
                  onClick={() => setRules((r) => ({ ...r, steps: r.steps.filter((_, i) => i !== index) }))}
                >
                  <Icon name="x" size={12} />
                </button>
              </li>
            ))}
          </ol>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setRules((r) => ({ ...r, steps: [...r.steps, { op: r.start === 'all' ? 'exclude' : 'include', type: 'string' }] }))}
          >
            <Icon name="plus" size={12} />
            Add rule
          </button>
        </div>
      )}

      <div className={`column-preview${preview && !preview.ok ? ' is-error' : ''}`} aria-live="polite" data-testid="column-preview">
        {preview ? (
          preview.ok ? (
            <>
              <strong>
                {preview.columns.length} column{preview.columns.length === 1 ? '' : 's'} selected:
              </strong>{' '}
              {preview.columns.join(', ')}
            </>
          ) : (
            <>
              <strong>{preview.code}:</strong> {preview.message}
            </>
          )
        ) : (
          'The selection is checked against the columns once a dataset is connected.'
        )}
      </div>
    </Dialog>
  )
}

function NamesPicker({ label, names, columns, onChange }: { label: string; names: string[]; columns: ColumnInfo[] | null; onChange: (names: string[]) => void }) {
  const [text, setText] = useState('')
  const remaining = columns?.filter((c) => !names.includes(c.name)) ?? []
  return (
    <div className="names-picker">
      {names.map((name) => (
        <span key={name} className="name-chip">
          {name}
          <button type="button" aria-label={`Remove ${name}`} onClick={() => onChange(names.filter((n) => n !== name))}>
            ×
          </button>
        </span>
      ))}
      {columns ? (
        <select
          className="select names-picker-add"
          aria-label={label}
          value=""
          onChange={(e) => {
            if (e.target.value) onChange([...names, e.target.value])
          }}
        >
          <option value="">Add a column…</option>
          {remaining.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      ) : (
        <input
          className="input names-picker-add"
          aria-label={label}
          placeholder="Type a name, Enter"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && text.trim()) {
              e.preventDefault()
              onChange([...names, text.trim()])
              setText('')
            }
          }}
        />
      )}
    </div>
  )
}
