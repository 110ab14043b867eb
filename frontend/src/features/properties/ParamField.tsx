import { useId, type ComponentType } from 'react'
import type { ParamType } from '../../api/types'
import { ChoiceField, CheckboxField, MultiChoiceField } from './ChoiceFields'
import { ColumnSetField } from './ColumnSetField'
import { DatasetField } from './DatasetField'
import { NumberField, SeedField } from './NumberFields'
import type { FieldWiring, ParamControlProps, ParamFieldProps } from './paramFieldTypes'
import { describeBounds } from './paramSchema'
import { ColumnField, RangeField, TextField } from './TextFields'
import { TrainedModelField } from './TrainedModelField'

/** The field each parameter kind of the module contract gets. */
const FIELDS: Record<ParamType, ComponentType<ParamControlProps>> = {
  int: NumberField,
  float: NumberField,
  bool: CheckboxField,
  choice: ChoiceField,
  multi_choice: MultiChoiceField,
  int_range_string: RangeField,
  column_set: ColumnSetField,
  column: ColumnField,
  dataset: DatasetField,
  trained_model: TrainedModelField,
  seed: SeedField,
}

const fieldFor = (type: string): ComponentType<ParamControlProps> => (Object.hasOwn(FIELDS, type) ? FIELDS[type as ParamType] : TextField)

/** One parameter of a node: its label, the control for its kind, its problems and a hint. */
export function ParamField(props: ParamFieldProps) {
  const id = useId()
  const message = props.problem ?? props.serverMessages[0] ?? null
  const invalid = message !== null
  const wiring: FieldWiring = {
    id,
    hintId: `${id}-hint`,
    errorId: `${id}-error`,
    message,
    invalid,
    describedBy: [invalid ? `${id}-error` : null, `${id}-hint`].filter(Boolean).join(' ') || undefined,
    bounds: describeBounds(props.param),
  }
  const Field = fieldFor(props.param.type)
  return <Field {...props} wiring={wiring} />
}
