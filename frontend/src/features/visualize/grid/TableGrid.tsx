import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type UIEvent } from 'react'
import { getRows, type OutputRef } from '../api'
import { formatCount, formatResultCell, isAssignmentsColumn } from '../format'
import type { ColumnSummary } from '../types'
import { MiniHistogram, MiniShares } from './Histograms'
import { RowPageCache } from './rowPageCache'
import { TypeBadge } from './TypeBadge'
import { columnWidth, rowWindow } from './virtualWindow'

export const ROW_HEIGHT = 30
export const PAGE_SIZE = 200
export const HEADER_HEIGHT = 60
const ROW_NUMBER_WIDTH = 68
const FETCH_DELAY_MS = 40

export interface TableGridProps {
  outputRef: OutputRef
  columns: ColumnSummary[]
  rowCount: number
  preview?: unknown[][]
  selectedColumn: number | null
  onSelectColumn: (index: number) => void
  label: string
}

/**
 * The rows of a table output in a virtualised grid: only the rows in view (plus a few) are in the DOM,
 * and pages of 200 rows are fetched from the API as the grid scrolls.
 */
export function TableGrid({ outputRef, columns, rowCount, preview, selectedColumn, onSelectColumn, label }: TableGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewportHeight, setViewportHeight] = useState(480)
  const [, bump] = useReducer((n: number) => n + 1, 0)
  const frame = useRef<number | null>(null)
  const { runId, nodeId, port, apiBase } = outputRef

  const cache = useMemo(
    () =>
      new RowPageCache(
        (offset, limit, signal) => getRows({ runId, nodeId, port, apiBase }, offset, limit, signal),
        { pageSize: PAGE_SIZE, onChange: bump },
      ),
    [runId, nodeId, port, apiBase],
  )
  useEffect(() => () => cache.dispose(), [cache])
  useEffect(() => {
    if (preview) cache.seed(preview)
  }, [cache, preview])

  useEffect(() => {
    const element = scrollRef.current
    if (!element) return
    const measure = () => setViewportHeight(Math.max(60, element.clientHeight - HEADER_HEIGHT))
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  const win = rowWindow({ scrollTop, viewportHeight, rowCount, rowHeight: ROW_HEIGHT, overscan: 8 })

  useEffect(() => {
    const timer = setTimeout(() => cache.ensure(win.start, win.end), FETCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [cache, win.start, win.end])

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => {
    const top = event.currentTarget.scrollTop
    if (frame.current !== null) cancelAnimationFrame(frame.current)
    frame.current = requestAnimationFrame(() => {
      frame.current = null
      setScrollTop(top)
    })
  }, [])
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current)
  }, [])

  const widths = useMemo(() => columns.map((c) => columnWidth(c.name, c.type)), [columns])
  const template = `${ROW_NUMBER_WIDTH}px ${widths.map((w) => `${w}px`).join(' ')}`
  const totalWidth = ROW_NUMBER_WIDTH + widths.reduce((a, b) => a + b, 0)
  const numeric = columns.map((c) => c.type === 'numeric')
  const assignments = columns.map((c) => isAssignmentsColumn(c.name))

  const rows = []
  for (let index = win.start; index < win.end; index += 1) {
    const row = cache.get(index)
    const top = win.offsetY + (index - win.start) * ROW_HEIGHT
    rows.push(
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        className={`grid-row${index % 2 ? ' is-odd' : ''}${row ? '' : ' is-loading'}`}
        style={{ transform: `translateY(${top}px)`, gridTemplateColumns: template, width: totalWidth }}
        data-row={index}
      >
        <div role="rowheader" className="grid-rownum">
          {formatCount(index + 1)}
        </div>
        {columns.map((_column, c) => {
          if (!row) {
            return (
              <div key={c} role="gridcell" className="grid-cell">
                <span className="cell-placeholder" aria-hidden="true" />
              </div>
            )
          }
          const value = row[c]
          const missing = value === null || value === undefined
          return (
            <div
              key={c}
              role="gridcell"
              className={`grid-cell${numeric[c] ? ' is-number' : ''}${missing ? ' is-missing' : ''}${selectedColumn === c ? ' is-selected' : ''}`}
              title={missing ? 'missing' : undefined}
            >
              {missing ? '—' : formatResultCell(value, assignments[c])}
            </div>
          )
        })}
      </div>,
    )
  }

  const first = rowCount === 0 ? 0 : win.visibleStart + 1
  const last = Math.min(rowCount, win.visibleEnd)
  const loading = cache.pendingCount > 0

  return (
    <div className="grid-frame">
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={rowCount + 1}
        aria-colcount={columns.length + 1}
        tabIndex={0}
        onScroll={onScroll}
        data-testid="table-grid"
      >
        <div className="grid-inner" style={{ width: totalWidth, height: HEADER_HEIGHT + win.contentHeight }}>
          <div role="row" aria-rowindex={1} className="grid-header" style={{ gridTemplateColumns: template, width: totalWidth }}>
            <div role="columnheader" className="grid-corner">
              <span className="visually-hidden">Row</span>#
            </div>
            {columns.map((column, c) => (
              <div
                key={c}
                role="columnheader"
                className={`grid-colhead${selectedColumn === c ? ' is-selected' : ''}`}
                aria-selected={selectedColumn === c}
              >
                <button
                  type="button"
                  className="grid-colhead-button"
                  onClick={() => onSelectColumn(c)}
                  aria-pressed={selectedColumn === c}
                  title={`${column.name} — show statistics`}
                  data-testid={`column-header-${column.name}`}
                >
                  <span className="grid-colhead-top">
                    <TypeBadge type={column.type} />
                    <span className="grid-colname">{column.name}</span>
                  </span>
                  {column.stats.histogram && column.stats.histogram.counts.length > 0 ? (
                    <MiniHistogram counts={column.stats.histogram.counts} width={Math.min(widths[c] - 20, 140)} />
                  ) : (
                    <MiniShares column={column} width={Math.min(widths[c] - 20, 140)} />
                  )}
                </button>
              </div>
            ))}
          </div>
          <div className="grid-body" style={{ height: win.contentHeight }}>
            {rows}
          </div>
        </div>
        {rowCount === 0 ? <p className="grid-empty">This table has no rows.</p> : null}
      </div>
      <div className="grid-status" aria-live="polite">
        <span data-testid="grid-range">
          {rowCount === 0 ? 'No rows' : `Rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(rowCount)}`}
        </span>
        {loading ? <span className="grid-loading">Loading rows…</span> : null}
        {cache.error && !loading ? (
          <span className="grid-error" role="alert">
            Some rows could not be loaded.{' '}
            <button type="button" className="link-button" onClick={() => cache.retry(win.start, win.end)}>
              Retry
            </button>
          </span>
        ) : null}
      </div>
    </div>
  )
}
