import type { SavedModel } from '../../api/models'
import { modelSummary } from '../palette/sourceModules'
import { FieldFrame } from './FieldFrame'
import { NullableSelect } from './NullableSelect'
import type { ParamControlProps } from './paramFieldTypes'

const SHOWN_COLUMNS = 16

/** The type chip of a model's input column: onehot columns take text, the others what their kind says. */
const COLUMN_TYPE: Record<string, string> = { numeric: 'numeric', boolean: 'boolean', datetime: 'datetime', onehot: 'string' }

function ModelHint({ model }: { model: SavedModel }) {
  return (
    <>
      {modelSummary(model)}
      {model.owned ? null : ` · shared by ${model.owner.username}`}
      <span className="dataset-columns" aria-label="Columns the model needs">
        {model.feature_columns.slice(0, SHOWN_COLUMNS).map((column) => (
          <span key={column.name} className={`column-type type-${COLUMN_TYPE[column.kind] ?? 'string'}`} title={column.kind}>
            {column.name}
          </span>
        ))}
        {model.feature_columns.length > SHOWN_COLUMNS ? <span className="column-type">+{model.feature_columns.length - SHOWN_COLUMNS} more</span> : null}
      </span>
    </>
  )
}

/** `trained_model`: one of the saved models the user can read (their own, or one of a shared experiment). */
export function TrainedModelField({ param, value, serverMessages, onChange, models, readOnly, wiring }: ParamControlProps) {
  const current = typeof value === 'string' ? value : ''
  const list = models ?? []
  const mine = list.filter((m) => m.owned)
  const shared = list.filter((m) => !m.owned)
  const chosen = list.find((m) => m.id === current)
  const hint = chosen ? (
    <ModelHint model={chosen} />
  ) : current ? (
    'This model was deleted, or it is not shared with you: choose another.'
  ) : null
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={hint}>
      <NullableSelect
        wiring={wiring}
        value={current}
        known={chosen !== undefined}
        emptyLabel="Choose a trained model…"
        unknownNote="(not found)"
        readOnly={readOnly}
        onChange={onChange}
      >
        {mine.length ? (
          <optgroup label="My models">
            {mine.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </optgroup>
        ) : null}
        {shared.length ? (
          <optgroup label="Shared with me">
            {shared.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </optgroup>
        ) : null}
      </NullableSelect>
    </FieldFrame>
  )
}
