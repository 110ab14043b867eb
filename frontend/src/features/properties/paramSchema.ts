// Parameter schema → fields: which parameters apply (visible_when), what control each one gets, and
// the checks the server makes (modules/contract.py, Param.coerce), so a bad value is marked at once.

import type { ModuleSpec, ParamSpec } from '../../api/types'
import { parseIntRange } from './rangeBuilder'

export type FieldKind =
  | 'number'
  | 'seed'
  | 'checkbox'
  | 'select'
  | 'multi'
  | 'range'
  | 'column'
  | 'columns'
  | 'dataset'
  | 'model'
  | 'text'

export function fieldKind(param: ParamSpec): FieldKind {
  switch (param.type) {
    case 'int':
    case 'float':
      return 'number'
    case 'seed':
      return 'seed'
    case 'bool':
      return 'checkbox'
    case 'choice':
      return 'select'
    case 'multi_choice':
      return 'multi'
    case 'int_range_string':
      return 'range'
    case 'column':
      return 'column'
    case 'column_set':
      return 'columns'
    case 'dataset':
      return 'dataset'
    case 'trained_model':
      return 'model'
    default:
      return 'text'
  }
}

/** Whether `param` applies given the filled values of the other parameters. */
export function isParamVisible(param: ParamSpec, filled: Readonly<Record<string, unknown>>): boolean {
  for (const [other, wanted] of Object.entries(param.visible_when ?? {})) {
    const allowed = Array.isArray(wanted) ? wanted : [wanted]
    if (!allowed.some((value) => value === filled[other])) return false
  }
  return true
}

/**
 * Every declared parameter with a value, in declaration order, the way the server fills them: a
 * hidden parameter or a missing one takes its default; an explicit null on a parameter that is not
 * nullable means the default too.
 */
export function fillParams(spec: ModuleSpec, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const filled: Record<string, unknown> = {}
  for (const param of spec.params ?? []) {
    if (!isParamVisible(param, filled)) {
      filled[param.id] = param.default ?? null
      continue
    }
    let value = params[param.id]
    if (value === undefined || (value === null && !param.nullable)) value = param.default ?? null
    filled[param.id] = value
  }
  return filled
}

/** The parameters that apply in the current mode, in declaration order. */
export function visibleParams(spec: ModuleSpec, params: Readonly<Record<string, unknown>>): ParamSpec[] {
  const filled = fillParams(spec, params)
  return (spec.params ?? []).filter((param) => isParamVisible(param, filled))
}

/** The parameters' defaults (a new node's parameters). */
export function defaultParams(spec: ModuleSpec): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const param of spec.params ?? []) {
    if (param.default !== undefined) params[param.id] = structuredCloneSafe(param.default)
  }
  return params
}

function structuredCloneSafe<T>(value: T): T {
  return value !== null && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as T) : value
}

/** "≥ 2", "between 1 and 100", "> 0 and ≤ 1", or "" for an unbounded parameter. */
export function describeBounds(param: ParamSpec): string {
  const lo =
    param.min === undefined || param.min === null ? null : `${param.min_exclusive ? '>' : '≥'} ${param.min}`
  const hi =
    param.max === undefined || param.max === null ? null : `${param.max_exclusive ? '<' : '≤'} ${param.max}`
  if (lo && hi && !param.min_exclusive && !param.max_exclusive) {
    return `${param.min} … ${param.max}`
  }
  return [lo, hi].filter(Boolean).join(' and ')
}

function boundsProblem(param: ParamSpec, value: number): string | null {
  if (param.min !== undefined && param.min !== null) {
    if (param.min_exclusive ? !(value > param.min) : !(value >= param.min)) {
      return `Must be ${param.min_exclusive ? '>' : '≥'} ${param.min}`
    }
  }
  if (param.max !== undefined && param.max !== null) {
    if (param.max_exclusive ? !(value < param.max) : !(value <= param.max)) {
      return `Must be ${param.max_exclusive ? '<' : '≤'} ${param.max}`
    }
  }
  return null
}

function isIntLike(value: unknown): value is number | string {
  if (typeof value === 'number') return Number.isInteger(value)
  return typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)
}

/**
 * What is wrong with a parameter value, as the server would see it, or null when it is fine.
 * `value` is what the graph stores (undefined = not set).
 */
export function paramProblem(param: ParamSpec, value: unknown): string | null {
  let v = value
  if (v === undefined || (v === null && !param.nullable)) v = param.default ?? null
  if (v === null || v === undefined) {
    if (param.nullable) return null
    return param.required ? 'Required' : 'Must have a value'
  }
  switch (param.type) {
    case 'int':
    case 'seed': {
      if (v === '') return param.nullable ? null : 'Enter a whole number'
      if (!isIntLike(v)) return 'Must be a whole number'
      return boundsProblem(param, Number(v))
    }
    case 'float': {
      if (v === '') return 'Enter a number'
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : Number.NaN
      if (typeof v === 'boolean' || !Number.isFinite(n)) return 'Must be a number'
      return boundsProblem(param, n)
    }
    case 'bool':
      return typeof v === 'boolean' ? null : 'Must be true or false'
    case 'choice': {
      const allowed = (param.choices ?? []).map((choice) => choice.value)
      return typeof v === 'string' && allowed.includes(v) ? null : 'Choose one of the options'
    }
    case 'multi_choice': {
      if (!Array.isArray(v) || v.length === 0) return 'Choose at least one'
      const allowed = new Set((param.choices ?? []).map((choice) => choice.value))
      return v.every((item) => typeof item === 'string' && allowed.has(item)) ? null : 'Unknown option'
    }
    case 'int_range_string': {
      if (typeof v !== 'string') {
        if (Array.isArray(v) && v.length && v.every((item) => Number.isInteger(item))) return null
        return 'Enter integers and ranges, e.g. 2-5, 10'
      }
      const parsed = parseIntRange(v)
      if (!parsed.ok) return parsed.error
      const bad = parsed.values.find((n) => boundsProblem(param, n) !== null)
      return bad === undefined ? null : `${bad} is out of range (each value must be ${describeBounds(param)})`
    }
    case 'column':
    case 'dataset':
    case 'trained_model': {
      if (typeof v !== 'string') return 'Must be a name'
      if (v === '') return param.nullable ? null : 'Required'
      return null
    }
    default:
      return null
  }
}

/** The first problem of each visible parameter of a node: param id → message. */
export function nodeParamProblems(spec: ModuleSpec, params: Readonly<Record<string, unknown>>): Map<string, string> {
  const problems = new Map<string, string>()
  for (const param of visibleParams(spec, params)) {
    const problem = paramProblem(param, params[param.id])
    if (problem) problems.set(param.id, problem)
  }
  return problems
}
