import { FieldFrame } from './FieldFrame'
import { NumberInput } from './NumberInput'
import type { ParamControlProps } from './paramFieldTypes'

const isOneSided = (bounds: string) => bounds.startsWith('≥') || bounds.startsWith('>') || bounds.startsWith('≤') || bounds.startsWith('<')

/** `int` and `float`. */
export function NumberField({ param, value, serverMessages, onChange, onCommit, readOnly, wiring }: ParamControlProps) {
  const { bounds } = wiring
  const hint = bounds ? `${param.type === 'int' ? 'Whole number' : 'Number'} ${isOneSided(bounds) ? bounds : `from ${bounds}`}` : null
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={hint}>
      <NumberInput
        id={wiring.id}
        param={param}
        value={value}
        integer={param.type === 'int'}
        invalid={wiring.invalid}
        describedBy={wiring.describedBy}
        disabled={readOnly}
        onChange={onChange}
        onCommit={onCommit}
      />
    </FieldFrame>
  )
}

/** `seed`: a whole number, or (when nullable) a fresh one drawn for each run. */
export function SeedField({ param, value, serverMessages, onChange, onCommit, readOnly, wiring }: ParamControlProps) {
  const { bounds } = wiring
  const random = value === null || value === undefined
  const hint = param.nullable && random ? 'A seed is drawn for each run and written to the log' : bounds ? `Whole number ${bounds.includes('…') ? `from ${bounds}` : bounds}` : null
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={hint}>
      <div className="seed-field">
        <NumberInput
          id={wiring.id}
          param={param}
          value={random ? '' : value}
          integer
          invalid={wiring.invalid}
          describedBy={wiring.describedBy}
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
    </FieldFrame>
  )
}
