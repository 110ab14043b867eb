// Column selections (`column_set` parameters), evaluated the way the server does
// (modules/columns.py): names match exactly, indices are 1-based with ranges, rules start from all
// or no columns and include/exclude by name or by type; the result keeps the table's column order.

import type { ColumnInfo } from '../../api/types'
import { expandRanges } from './rangeBuilder'

export const COLUMN_TYPES = ['numeric', 'string', 'boolean', 'datetime'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

export type RuleStep =
  | { op: 'include' | 'exclude'; names: string[] }
  | { op: 'include' | 'exclude'; type: ColumnType | string }

export type ColumnSelection =
  | { names: string[] }
  | { indices: string }
  | { rules: { start: 'all' | 'none'; steps: RuleStep[] } }

export type SelectionResult =
  | { ok: true; columns: string[] }
  | { ok: false; code: '0001' | '0002' | '0011'; message: string; columns: string[] }

/** The most indices one selection may list (the server's MAX_INDICES). */
export const MAX_INDICES = 1_000_000

/** 1-based indices from "1-3,5" (order kept, duplicates dropped), or an error message. */
export function parseIndices(text: string): { ok: true; indices: number[] } | { ok: false; error: string } {
  const parsed = expandRanges(text, { signed: false, what: 'an index', maxValues: MAX_INDICES, empty: 'No indices given' })
  return parsed.ok ? { ok: true, indices: parsed.values } : parsed
}

/** Normalises what a graph may hold (a JSON string, a plain list of names) into a selection. */
export function asSelection(value: unknown): ColumnSelection | null {
  let v = value
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v)
    } catch {
      return null
    }
  }
  if (Array.isArray(v) && v.every((item) => typeof item === 'string')) return { names: [...v] }
  if (!v || typeof v !== 'object') return null
  const o = v as Record<string, unknown>
  if (Array.isArray(o.names)) return { names: o.names.filter((n): n is string => typeof n === 'string') }
  if (typeof o.indices === 'string') return { indices: o.indices }
  if (o.rules && typeof o.rules === 'object') {
    const rules = o.rules as { start?: unknown; steps?: unknown }
    const steps = Array.isArray(rules.steps) ? (rules.steps as RuleStep[]) : []
    return { rules: { start: rules.start === 'all' ? 'all' : 'none', steps } }
  }
  return null
}

function missingMessage(kind: 'column' | 'index', missing: readonly (string | number)[], extra = ''): string {
  const plural = missing.length > 1
  const noun = kind === 'column' ? (plural ? 'Columns' : 'Column') : plural ? 'Column indices' : 'Column index'
  const list = missing.map((m) => (typeof m === 'string' ? `‘${m}’` : String(m))).join(', ')
  return `${noun} ${list} not found in the input${extra}`
}

/**
 * The columns a selection picks from a table, in table order. `selection` null means the module's
 * default, given as `defaultColumns` (names); unknown names or indices give 0001, an empty result
 * 0011, a malformed selection 0002.
 */
export function evaluateSelection(
  columns: readonly ColumnInfo[],
  selection: ColumnSelection | null,
  defaultColumns?: readonly string[],
): SelectionResult {
  const names = columns.map((c) => c.name)
  let chosen: Set<string>
  if (selection === null) {
    chosen = new Set(defaultColumns ?? [])
  } else if ('names' in selection) {
    const known = new Set(names)
    const missing = selection.names.filter((n) => !known.has(n))
    if (missing.length) {
      return { ok: false, code: '0001', message: missingMessage('column', missing), columns: names.filter((n) => selection.names.includes(n)) }
    }
    chosen = new Set(selection.names)
  } else if ('indices' in selection) {
    const parsed = parseIndices(selection.indices)
    if (!parsed.ok) return { ok: false, code: '0002', message: parsed.error, columns: [] }
    const missing = parsed.indices.filter((i) => i < 1 || i > names.length)
    if (missing.length) {
      const extra = ` (the input has ${names.length} column${names.length === 1 ? '' : 's'})`
      return { ok: false, code: '0001', message: missingMessage('index', missing, extra), columns: [] }
    }
    chosen = new Set(parsed.indices.map((i) => names[i - 1]))
  } else {
    const { start, steps } = selection.rules
    chosen = new Set(start === 'all' ? names : [])
    const known = new Set(names)
    for (const step of steps) {
      let picked: string[]
      if ('names' in step) {
        const missing = step.names.filter((n) => !known.has(n))
        if (missing.length) return { ok: false, code: '0001', message: missingMessage('column', missing), columns: [] }
        picked = step.names
      } else {
        picked = columns.filter((c) => c.type === step.type).map((c) => c.name)
      }
      for (const name of picked) {
        if (step.op === 'include') chosen.add(name)
        else chosen.delete(name)
      }
    }
  }
  const result = names.filter((n) => chosen.has(n))
  if (result.length === 0) {
    return { ok: false, code: '0011', message: 'The selection matches no column of the input', columns: [] }
  }
  return { ok: true, columns: result }
}

/** The clustering modules' default: every numeric column except the label column. */
export function defaultNumericColumns(columns: readonly ColumnInfo[], exclude: readonly (string | null | undefined)[] = []): string[] {
  const skip = new Set(exclude.filter((e): e is string => typeof e === 'string' && e !== ''))
  return columns.filter((c) => c.type === 'numeric' && !skip.has(c.name)).map((c) => c.name)
}

const TYPE_LABEL: Record<string, string> = {
  numeric: 'numeric',
  string: 'string',
  boolean: 'boolean',
  datetime: 'datetime',
}

/** A one-line description of a selection without a table: "3 columns by name", "All, excluding string". */
export function describeSelection(selection: ColumnSelection | null): string {
  if (selection === null) return 'Default'
  if ('names' in selection) {
    const n = selection.names.length
    if (n === 0) return 'No columns'
    if (n <= 3) return selection.names.join(', ')
    return `${selection.names.slice(0, 2).join(', ')} and ${n - 2} more`
  }
  if ('indices' in selection) return `Columns ${selection.indices}`
  const { start, steps } = selection.rules
  const parts = [start === 'all' ? 'All columns' : 'No columns']
  for (const step of steps) {
    const what = 'names' in step ? step.names.join(', ') || '(no names)' : `all ${TYPE_LABEL[step.type] ?? step.type}`
    parts.push(`${step.op === 'include' ? 'include' : 'exclude'} ${what}`)
  }
  return parts.join(', ')
}
