import { FieldFrame } from './FieldFrame'
import { NullableSelect } from './NullableSelect'
import { asText } from './NumberInput'
import type { ParamControlProps } from './paramFieldTypes'
import { parseIntRange, previewValues } from './rangeBuilder'

/** `int_range_string`: "2-5, 10", with a preview of the values it stands for. */
export function RangeField({ param, value, problem, serverMessages, onChange, onCommit, readOnly, wiring }: ParamControlProps) {
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : ''
  const parsed = parseIntRange(text)
  const hint =
    parsed.ok && !problem ? (
      <span className="range-preview" data-testid="range-preview">
        <span className="range-preview-count">
          {parsed.values.length} value{parsed.values.length === 1 ? '' : 's'}
        </span>
        {previewValues(parsed.values)}
      </span>
    ) : (
      `Comma-separated whole numbers and ranges${wiring.bounds ? `, each ${wiring.bounds}` : ''}`
    )
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={hint}>
      <input
        id={wiring.id}
        className="input range-input"
        value={text}
        disabled={readOnly}
        spellCheck={false}
        placeholder="e.g. 2-5, 10"
        aria-invalid={wiring.invalid || undefined}
        aria-describedby={wiring.describedBy}
        onChange={(event) => onChange(event.target.value, { coalesce: true })}
        onBlur={onCommit}
      />
    </FieldFrame>
  )
}

/** `column`: a column of the input table — a list when its columns are known, else a name box. */
export function ColumnField({ param, value, serverMessages, onChange, onCommit, columns, readOnly, wiring }: ParamControlProps) {
  const current = typeof value === 'string' ? value : ''
  const known = columns?.columns
  if (!known) {
    return (
      <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={columns?.loading ? 'Loading the columns…' : 'Connect a dataset to pick from its columns'}>
        <input
          id={wiring.id}
          className="input"
          value={current}
          disabled={readOnly}
          placeholder={param.nullable ? 'None' : 'Column name'}
          aria-invalid={wiring.invalid || undefined}
          aria-describedby={wiring.describedBy}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value, { coalesce: true })}
          onBlur={onCommit}
        />
      </FieldFrame>
    )
  }
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={columns?.source ? `Columns of ${columns.source}` : null}>
      <NullableSelect
        wiring={wiring}
        value={current}
        known={known.some((c) => c.name === current)}
        emptyLabel={param.nullable ? 'None' : 'Choose a column…'}
        unknownNote="(not in the input)"
        readOnly={readOnly}
        onChange={onChange}
      >
        {known.map((column) => (
          <option key={column.name} value={column.name}>
            {column.name} · {column.type}
          </option>
        ))}
      </NullableSelect>
    </FieldFrame>
  )
}

/** A parameter of a kind this client does not know: its value as text. */
export function TextField({ param, value, serverMessages, onChange, onCommit, readOnly, wiring }: ParamControlProps) {
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring}>
      <input
        id={wiring.id}
        className="input"
        value={asText(value)}
        disabled={readOnly}
        aria-invalid={wiring.invalid || undefined}
        aria-describedby={wiring.describedBy}
        onChange={(event) => onChange(event.target.value, { coalesce: true })}
        onBlur={onCommit}
      />
    </FieldFrame>
  )
}
