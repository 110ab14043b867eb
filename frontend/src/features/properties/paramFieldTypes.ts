// The props every parameter field and control shares (a file of its own, so the field and the
// controls it picks from import it instead of each other).

import type { SavedModel } from '../../api/models'
import type { ColumnInfo, Dataset, ParamSpec } from '../../api/types'

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
  /** The saved models a `trained_model` parameter offers. */
  models?: SavedModel[]
  /** Other parameters' values (the default column set depends on the label column). */
  params: Record<string, unknown>
  readOnly?: boolean
}

/** How a field's control, label, error and hint point at each other. */
export interface FieldWiring {
  /** The control's id (its label's `for`). */
  id: string
  hintId: string
  errorId: string
  /** The message shown under the field: the client-side problem first, else the server's first. */
  message: string | null
  invalid: boolean
  describedBy: string | undefined
  /** The parameter's bounds in words ("1 … 100"), '' when unbounded. */
  bounds: string
}

/** What the control of one parameter kind gets. */
export interface ParamControlProps extends ParamFieldProps {
  wiring: FieldWiring
}
