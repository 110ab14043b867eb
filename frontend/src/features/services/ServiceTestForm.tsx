import { useId, useMemo, useState, type FormEvent } from 'react'
import { errorMessage } from '../../api/client'
import { scoreWithKey, type Service } from '../../api/services'
import { Icon, Spinner } from '../../ui/icons'
import { formatNumber } from '../visualize/format'
import { clusterColor } from '../visualize/palette'
import { exampleRow, isNumericColumn, scoreBody, type CellValue, type ModelHints } from './sampleCode'
import { cellValue, rowsFromCsv, tableFromResponse, type ResultTable } from './testData'

const MAX_GRID_ROWS = 20

type Answer = { state: 'idle' } | { state: 'busy' } | { state: 'error'; message: string } | { state: 'done'; table: ResultTable | null; raw: unknown }

const asText = (value: CellValue) => (value === null ? '' : String(value))

function ResultCell({ column, value }: { column: string; value: unknown }) {
  if (/assignment/i.test(column) && typeof value === 'number' && Number.isInteger(value)) {
    return (
      <span className="service-cluster">
        <span className="service-cluster-dot" style={{ background: clusterColor(value) }} aria-hidden="true" />
        {value}
      </span>
    )
  }
  return <>{typeof value === 'number' ? formatNumber(value, 5) : value === null || value === undefined ? '—' : String(value)}</>
}

/** Tries the service the way a program would: rows typed in a grid or pasted as CSV, sent with a key. */
export function ServiceTestForm({ service, hints, shownKey }: { service: Service; hints: ModelHints; shownKey: string | null }) {
  const base = useId()
  const columns = service.input_columns
  const initial = useMemo(() => exampleRow(columns, hints).map(asText), [columns, hints])
  const [mode, setMode] = useState<'grid' | 'csv'>('grid')
  // Untouched, the grid follows the example row (it improves once the model's details arrive).
  const [edited, setEdited] = useState<string[][] | null>(null)
  const grid = edited ?? [initial]
  const setGrid = (update: (rows: string[][]) => string[][]) => setEdited(update(grid))
  const [csv, setCsv] = useState('')
  const [typedKey, setTypedKey] = useState('')
  const [answer, setAnswer] = useState<Answer>({ state: 'idle' })
  const key = typedKey.trim() || shownKey || ''

  const setCell = (r: number, c: number, text: string) => setGrid((rows) => rows.map((row, i) => (i === r ? row.map((cell, j) => (j === c ? text : cell)) : row)))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!key) return setAnswer({ state: 'error', message: 'Paste one of the service’s keys first.' })
    let rows: CellValue[][]
    if (mode === 'csv') {
      const parsed = rowsFromCsv(csv, columns)
      if (!parsed.ok) return setAnswer({ state: 'error', message: parsed.error })
      rows = parsed.rows
    } else {
      rows = grid.map((row) => columns.map((column, j) => cellValue(column, row[j] ?? '')))
    }
    setAnswer({ state: 'busy' })
    try {
      const raw = await scoreWithKey(service.score_url, key, scoreBody(columns.map((c) => c.name), rows))
      setAnswer({ state: 'done', table: tableFromResponse(raw), raw })
    } catch (e) {
      setAnswer({ state: 'error', message: errorMessage(e) })
    }
  }

  return (
    <section className="service-card" aria-labelledby={`${base}-title`}>
      <div className="service-card-head">
        <h2 id={`${base}-title`} className="service-card-title">
          Test it
        </h2>
        <p className="service-card-text">Sends the rows to the scoring URL with a key, exactly as a program would.</p>
      </div>
      <form className="service-test" onSubmit={submit} noValidate>
        <div className="service-test-bar">
          <div className="segmented" role="tablist" aria-label="How to enter rows">
            <button type="button" role="tab" aria-selected={mode === 'grid'} onClick={() => setMode('grid')}>
              Edit rows
            </button>
            <button type="button" role="tab" aria-selected={mode === 'csv'} onClick={() => setMode('csv')}>
              Paste CSV
            </button>
          </div>
          <label className="service-test-key">
            <span className="field-label">Key</span>
            <input
              className="input"
              type="password"
              autoComplete="off"
              placeholder={shownKey ? 'Using the key shown above' : 'Paste a key (csk_…)'}
              value={typedKey}
              onChange={(e) => setTypedKey(e.target.value)}
              aria-label="Service key for the test"
            />
          </label>
        </div>
        {mode === 'grid' ? (
          <div className="service-grid-wrap">
            <table className="service-grid" aria-label="Rows to score">
              <thead>
                <tr>
                  <th scope="col" className="service-grid-index">
                    #
                  </th>
                  {columns.map((column) => (
                    <th key={column.name} scope="col" title={column.type}>
                      {column.name}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {grid.map((row, r) => (
                  <tr key={r}>
                    <td className="service-grid-index">{r + 1}</td>
                    {columns.map((column, c) => (
                      <td key={column.name}>
                        <input
                          className="service-grid-input"
                          value={row[c] ?? ''}
                          inputMode={isNumericColumn(column) ? 'decimal' : 'text'}
                          aria-label={`Row ${r + 1} ${column.name}`}
                          onChange={(e) => setCell(r, c, e.target.value)}
                        />
                      </td>
                    ))}
                    <td>
                      <button type="button" className="icon-btn" aria-label={`Remove row ${r + 1}`} disabled={grid.length === 1} onClick={() => setGrid((rows) => rows.filter((_, i) => i !== r))}>
                        <Icon name="x" size={12} />
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" className="btn btn-small btn-ghost" disabled={grid.length >= MAX_GRID_ROWS} onClick={() => setGrid((rows) => [...rows, [...initial]])}>
              <Icon name="plus" size={12} />
              Add row
            </button>
          </div>
        ) : (
          <textarea
            className="textarea service-csv"
            rows={6}
            spellCheck={false}
            value={csv}
            onChange={(e) => setCsv(e.target.value)}
            aria-label="Rows as CSV"
            placeholder={`${columns.map((c) => c.name).join(',')}\n${initial.join(',')}`}
          />
        )}
        <div className="service-test-actions">
          <button type="submit" className="btn btn-primary" disabled={answer.state === 'busy'}>
            {answer.state === 'busy' ? <Spinner size={12} /> : <Icon name="run" size={12} />}
            Score
          </button>
          {answer.state === 'error' ? (
            <p className="field-error service-test-error" role="alert">
              {answer.message}
            </p>
          ) : null}
        </div>
      </form>
      {answer.state === 'done' ? (
        answer.table ? (
          <div className="service-grid-wrap">
            <table className="service-table service-result" aria-label="Assignments">
              <thead>
                <tr>
                  {answer.table.columns.map((column) => (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {answer.table.rows.map((row, r) => (
                  <tr key={r}>
                    {answer.table!.columns.map((column, c) => (
                      <td key={column}>
                        <ResultCell column={column} value={row[c]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <pre className="service-code-text">{JSON.stringify(answer.raw, null, 2)}</pre>
        )
      ) : null}
    </section>
  )
}
