// Number and label formatting shared by the tables and the charts. Pure functions.
import { NOISE_LABEL } from './palette'

const EM_DASH = '—'
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** Strip trailing zeros of a fixed/precision string: "1.2300" → "1.23", "5.000" → "5". */
function trimZeros(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text
  return text.replace(/\.?0+$/, '')
}

/** A compact exponent form: 1.23e+7 → "1.23e7", 4.5e-9 → "4.5e-9". */
function exponential(value: number, significant: number): string {
  const [mantissa, exponent] = value.toExponential(Math.max(0, significant - 1)).split('e')
  return `${trimZeros(mantissa)}e${Number(exponent)}`
}

/**
 * A number for people: integers with thousands separators, other values with `significant`
 * significant digits (trailing zeros dropped), very large or very small magnitudes in exponent form.
 * Missing or non-finite values are "—" (±∞ as "∞"/"−∞").
 */
export function formatNumber(value: unknown, significant = 4): string {
  if (value === null || value === undefined) return EM_DASH
  if (typeof value !== 'number') return String(value)
  if (Number.isNaN(value)) return EM_DASH
  if (value === Infinity) return '∞'
  if (value === -Infinity) return '−∞'
  if (Object.is(value, -0)) return '0'
  const magnitude = Math.abs(value)
  if (Number.isInteger(value) && magnitude < 1e15) return grouped.format(value)
  if (magnitude >= 1e9 || (magnitude > 0 && magnitude < 1e-4)) return exponential(value, significant)
  if (magnitude >= 10 ** significant) {
    return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(value)
  }
  const text = trimZeros(value.toPrecision(significant))
  if (magnitude >= 1000) {
    const [whole, fraction] = text.split('.')
    return grouped.format(Number(whole)) + (fraction ? `.${fraction}` : '')
  }
  return text === '-0' ? '0' : text
}

/** A count with thousands separators: 100000 → "100,000". */
export function formatCount(value: number | null | undefined): string {
  return isNumber(value) ? grouped.format(Math.round(value)) : EM_DASH
}

/** A ratio in [0, 1] as a percentage with one decimal: 0.8413 → "84.1%". */
export function formatPercent(ratio: number | null | undefined, decimals = 1): string {
  if (!isNumber(ratio)) return EM_DASH
  return `${(ratio * 100).toFixed(decimals)}%`
}

/** A duration given in seconds: "850 ms", "2.35 s", "1 min 5 s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds < 0) return EM_DASH
  if (seconds < 1) {
    const ms = seconds * 1000
    return ms < 10 ? `${trimZeros(ms.toFixed(1))} ms` : `${Math.round(ms)} ms`
  }
  if (seconds < 60) return `${trimZeros(seconds.toFixed(2))} s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`
}

/** An axis tick label: short, no more precision than the axis needs. */
export function formatAxisTick(value: number): string {
  if (!isNumber(value)) return ''
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1e6 || magnitude < 1e-3) return exponential(value, 2)
  if (magnitude >= 1000) return grouped.format(value)
  return trimZeros(value.toPrecision(3))
}

/** A grid cell: numbers with 6 significant digits, booleans as true/false, missing as an empty cell. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return formatNumber(value, 6)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** An assignments column of a results table: `Assignments`, or `Assignments (2)` … on a name clash
 * (the names modules/results.py gives them). */
const ASSIGNMENTS_NAME = /^Assignments(?: \(\d+\))?$/

export function isAssignmentsColumn(name: string): boolean {
  return ASSIGNMENTS_NAME.test(name)
}

/** A grid cell of a results table: in an assignments column the noise label (-1) reads "Noise". */
export function formatResultCell(value: unknown, assignments: boolean): string {
  if (assignments && (value === NOISE_LABEL || value === String(NOISE_LABEL))) return 'Noise'
  return formatCell(value)
}

/** "results_dataset" → "Results dataset", "sweep_results" → "Sweep results". */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim()
  return words ? words[0].toUpperCase() + words.slice(1) : id
}

/** "1 row" / "2 rows". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`
}
