// The test form's data: rows typed in the grid or pasted as CSV, turned into typed values, and the
// service's answer turned back into a table whatever shape it came in. Pure functions.

import type { ServiceInputColumn } from '../../api/services'
import { isBooleanColumn, isNumericColumn, type CellValue } from './sampleCode'

/** Splits CSV text into rows of fields (quoted fields, doubled quotes, CRLF; blank lines skipped). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  const endRow = () => {
    row.push(field)
    if (row.length > 1 || row[0].trim() !== '') rows.push(row)
    row = []
    field = ''
  }
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1
      endRow()
    } else field += c
  }
  if (field !== '' || row.length > 0) endRow()
  return rows
}

/**
 * A typed cell from what the user typed: a number for numeric columns (text that is not a number is
 * sent as it is, so the service names the row and column), true/false for booleans, empty = missing.
 */
export function cellValue(column: ServiceInputColumn, text: string): CellValue {
  const trimmed = text.trim()
  if (trimmed === '') return null
  if (isNumericColumn(column)) {
    const n = Number(trimmed)
    return Number.isFinite(n) ? n : trimmed
  }
  if (isBooleanColumn(column)) {
    if (/^(true|1|yes)$/i.test(trimmed)) return true
    if (/^(false|0|no)$/i.test(trimmed)) return false
  }
  return text
}

export type CsvRows = { ok: true; rows: CellValue[][] } | { ok: false; error: string }

/**
 * Rows for the service from pasted CSV: with a header line naming the input columns (any order, other
 * columns ignored), or without one, the values in the input columns' order.
 */
export function rowsFromCsv(text: string, columns: readonly ServiceInputColumn[]): CsvRows {
  const table = parseCsv(text)
  if (table.length === 0) return { ok: false, error: 'Paste some rows first.' }
  const names = columns.map((c) => c.name)
  const header = table[0].map((cell) => cell.trim())
  const hasHeader = names.some((name) => header.includes(name))
  if (hasHeader) {
    const missing = names.filter((name) => !header.includes(name))
    if (missing.length) return { ok: false, error: `The header lacks ${missing.map((m) => `“${m}”`).join(', ')}.` }
    const at = names.map((name) => header.indexOf(name))
    const rows = table.slice(1).map((cells) => columns.map((column, j) => cellValue(column, cells[at[j]] ?? '')))
    return rows.length ? { ok: true, rows } : { ok: false, error: 'Only a header: add rows under it.' }
  }
  const short = table.findIndex((cells) => cells.length < columns.length)
  if (short >= 0) {
    return { ok: false, error: `Row ${short + 1} has ${table[short].length} values; ${columns.length} are needed (${names.join(', ')}), or start with a header line.` }
  }
  return { ok: true, rows: table.map((cells) => columns.map((column, j) => cellValue(column, cells[j]))) }
}

export interface ResultTable {
  columns: string[]
  rows: unknown[][]
}

const isRecordList = (value: unknown): value is Record<string, unknown>[] =>
  Array.isArray(value) && value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))

function fromRecords(records: Record<string, unknown>[]): ResultTable {
  const columns: string[] = []
  for (const record of records) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key)
  return { columns, rows: records.map((record) => columns.map((c) => record[c] ?? null)) }
}

function fromSplit(value: unknown): ResultTable | null {
  const split = value as { columns?: unknown; data?: unknown } | null
  if (split && Array.isArray(split.columns) && Array.isArray(split.data)) {
    return { columns: split.columns.map(String), rows: split.data as unknown[][] }
  }
  return null
}

/** The service's answer as a table: `dataframe_split`, `records`, the classic `Results.output1`, or bare. */
export function tableFromResponse(body: unknown): ResultTable | null {
  if (body === null || typeof body !== 'object') return null
  const b = body as Record<string, unknown>
  const split = fromSplit(b.dataframe_split) ?? fromSplit(b)
  if (split) return split
  if (isRecordList(b.records)) return fromRecords(b.records)
  if (isRecordList(body)) return fromRecords(body)
  const output = (b.Results as { output1?: unknown } | undefined)?.output1
  if (isRecordList(output)) return fromRecords(output)
  // The classic answer's table, under `value` ({type: "table", value: {...}}) or directly.
  const wrapped = output as { value?: unknown } | undefined
  const classic = (wrapped?.value && typeof wrapped.value === 'object' ? wrapped.value : output) as { ColumnNames?: unknown; Values?: unknown } | undefined
  if (classic && Array.isArray(classic.ColumnNames) && Array.isArray(classic.Values)) {
    return { columns: classic.ColumnNames.map(String), rows: classic.Values as unknown[][] }
  }
  return null
}
