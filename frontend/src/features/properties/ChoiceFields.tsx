import { FieldFrame } from './FieldFrame'
import type { ParamControlProps } from './paramFieldTypes'

/** `bool`: a checkbox, its label after it. */
export function CheckboxField({ param, value, serverMessages, onChange, readOnly, wiring }: ParamControlProps) {
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} label="after">
      <input
        id={wiring.id}
        type="checkbox"
        checked={value === true}
        disabled={readOnly}
        aria-invalid={wiring.invalid || undefined}
        aria-describedby={wiring.describedBy}
        onChange={(event) => onChange(event.target.checked)}
      />
    </FieldFrame>
  )
}

/** `choice`: one of the options. */
export function ChoiceField({ param, value, serverMessages, onChange, readOnly, wiring }: ParamControlProps) {
  const choices = param.choices ?? []
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring}>
      <select
        id={wiring.id}
        className="select"
        value={typeof value === 'string' ? value : ''}
        disabled={readOnly}
        aria-invalid={wiring.invalid || undefined}
        aria-describedby={wiring.describedBy}
        onChange={(event) => onChange(event.target.value)}
      >
        {typeof value !== 'string' || !choices.some((c) => c.value === value) ? <option value="">Choose…</option> : null}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  )
}

/** `multi_choice`: any of the options, kept in the options' order. */
export function MultiChoiceField({ param, value, serverMessages, onChange, readOnly, wiring }: ParamControlProps) {
  const selected = Array.isArray(value) ? (value as unknown[]) : []
  const choices = param.choices ?? []
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} label="group">
      <div className="multi-choice" role="group" aria-labelledby={`${wiring.id}-label`} aria-describedby={wiring.describedBy} aria-invalid={wiring.invalid || undefined}>
        {choices.map((choice) => (
          <label key={choice.value} className="checkbox">
            <input
              type="checkbox"
              checked={selected.includes(choice.value)}
              disabled={readOnly}
              onChange={(event) => {
                const order = choices.map((c) => c.value)
                const next = event.target.checked ? [...selected, choice.value] : selected.filter((v) => v !== choice.value)
                onChange(order.filter((v) => next.includes(v)))
              }}
            />
            {choice.label}
          </label>
        ))}
      </div>
    </FieldFrame>
  )
}
