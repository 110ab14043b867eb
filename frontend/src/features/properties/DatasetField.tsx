import type { Dataset } from '../../api/types'
import { FieldFrame } from './FieldFrame'
import { NullableSelect } from './NullableSelect'
import type { ParamControlProps } from './paramFieldTypes'

const SHOWN_COLUMNS = 16

function DatasetSummary({ dataset }: { dataset: Dataset }) {
  return (
    <>
      {dataset.n_rows.toLocaleString('en')} rows × {dataset.n_columns} columns
      <span className="dataset-columns" aria-label="Columns">
        {dataset.columns.slice(0, SHOWN_COLUMNS).map((column) => (
          <span key={column.name} className={`column-type type-${column.type}`} title={column.type}>
            {column.name}
          </span>
        ))}
        {dataset.columns.length > SHOWN_COLUMNS ? <span className="column-type">+{dataset.columns.length - SHOWN_COLUMNS} more</span> : null}
      </span>
    </>
  )
}

/** `dataset`: one of the user's datasets or a sample, with its size and columns. */
export function DatasetField({ param, value, serverMessages, onChange, datasets, readOnly, wiring }: ParamControlProps) {
  const current = typeof value === 'string' ? value : ''
  const list = datasets ?? []
  const mine = list.filter((d) => !d.sample)
  const samples = list.filter((d) => d.sample)
  const chosen = list.find((d) => d.id === current)
  return (
    <FieldFrame param={param} serverMessages={serverMessages} wiring={wiring} hint={chosen ? <DatasetSummary dataset={chosen} /> : null}>
      <NullableSelect
        wiring={wiring}
        value={current}
        known={list.some((d) => d.id === current)}
        emptyLabel="Choose a dataset…"
        unknownNote="(not found)"
        readOnly={readOnly}
        onChange={onChange}
      >
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
      </NullableSelect>
    </FieldFrame>
  )
}
