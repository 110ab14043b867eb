import { useState } from 'react'
import type { OutputRef } from '../api'
import { ColumnStatsPanel } from '../grid/ColumnStatsPanel'
import { TableGrid } from '../grid/TableGrid'
import { formatCount, plural } from '../format'
import type { ColumnSummary } from '../types'

export interface TableViewProps {
  outputRef: OutputRef
  columns: ColumnSummary[]
  rowCount: number
  preview?: unknown[][]
  title?: string
  /** Rows the sampled column statistics come from, when fewer than the table's (see TableSummary). */
  sampledRows?: number
}

/** A table output: the paged grid and the statistics of the column whose header was clicked. */
export function TableView({ outputRef, columns, rowCount, preview, title = 'Rows', sampledRows }: TableViewProps) {
  const [selected, setSelected] = useState<number | null>(columns.length > 0 ? 0 : null)
  const column = selected !== null ? columns[selected] : undefined
  const sampled = sampledRows !== undefined && sampledRows < rowCount
  return (
    <section className="table-view" aria-label={title} data-testid="table-view">
      <p className="table-caption">
        {plural(rowCount, 'row')} × {plural(columns.length, 'column')}
        <span className="table-hint"> · Click a column header for its statistics</span>
        {sampled ? (
          <span className="table-hint" data-testid="sampled-stats-note">
            {' '}
            · Distinct values, quartiles, histograms and top values from a sample of {formatCount(sampledRows)} rows
          </span>
        ) : null}
      </p>
      <div className={`table-layout${column ? ' has-stats' : ''}`}>
        <TableGrid
          outputRef={outputRef}
          columns={columns}
          rowCount={rowCount}
          preview={preview}
          selectedColumn={selected}
          onSelectColumn={(index) => setSelected((current) => (current === index ? null : index))}
          label={`${title}: ${formatCount(rowCount)} rows`}
        />
        {column ? <ColumnStatsPanel column={column} rowCount={rowCount} sampled={sampled} onClose={() => setSelected(null)} /> : null}
      </div>
    </section>
  )
}
