import { useState } from 'react'
import type { ColumnInfo, ParamSpec } from '../../api/types'
import { Icon } from '../../ui/icons'
import { ColumnSetDialog } from './ColumnSetDialog'
import { asSelection, defaultNumericColumns, describeSelection, evaluateSelection } from './columnSelection'
import { FieldFrame } from './FieldFrame'
import type { ParamControlProps } from './paramFieldTypes'

/** The default selection of a column set, when the module describes it as "all numeric … label … weight". */
function defaultColumnsFor(param: ParamSpec, columns: ColumnInfo[], params: Record<string, unknown>): string[] | undefined {
  const text = (param.default_columns ?? '').toLowerCase()
  if (!text.includes('numeric')) return undefined
  const label = text.includes('label') ? params.label_column : undefined
  const weight = text.includes('weight') ? params.weight_column : undefined
  return defaultNumericColumns(columns, [label, weight].map((name) => (typeof name === 'string' ? name : null)))
}

/** `column_set`: a summary of the selection and what it selects, edited in a dialog. */
export function ColumnSetField({ param, value, serverMessages, onChange, columns, params, readOnly, wiring }: ParamControlProps) {
  const { id, invalid, describedBy } = wiring
  const [open, setOpen] = useState(false)
  const selection = value === null || value === undefined ? null : asSelection(value)
  const known = columns?.columns ?? null
  const defaults = known ? defaultColumnsFor(param, known, params) : undefined
  const result = known ? evaluateSelection(known, selection, defaults) : null

  let summary: string
  if (selection === null) {
    summary = param.default_columns ? `Default: ${param.default_columns}` : 'Default'
  } else {
    summary = describeSelection(selection)
  }

  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring}>
      <div className={`column-set${invalid ? ' is-invalid' : ''}`}>
        <div className="column-set-summary">
          <span className="column-set-text">{summary}</span>
          {result ? (
            result.ok ? (
              <span className="column-set-count" title={result.columns.join(', ')}>
                {result.columns.length} selected: {result.columns.join(', ')}
              </span>
            ) : selection !== null || !param.nullable ? (
              <span className="column-set-count is-error">{result.message}</span>
            ) : null
          ) : null}
        </div>
        <button
          id={id}
          type="button"
          className="btn btn-small column-set-edit"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          disabled={readOnly}
          onClick={() => setOpen(true)}
        >
          <Icon name="edit" size={12} />
          Edit columns
        </button>
        {open ? (
          <ColumnSetDialog
            param={param}
            selection={selection}
            columns={known}
            source={columns?.source ?? null}
            defaults={defaults}
            onClose={() => setOpen(false)}
            onApply={(next) => {
              setOpen(false)
              onChange(next)
            }}
          />
        ) : null}
      </div>
    </FieldFrame>
  )
}
