// What the service page documents and offers to copy: an example row built from the model's input
// columns, the request body in the `dataframe_split` shape, and sample code (curl, Python requests,
// JavaScript fetch) that works when pasted. Pure functions.

import type { ModelFeatureColumn } from '../../api/models'
import type { ServiceInputColumn } from '../../api/services'

export type CellValue = number | string | boolean | null

export const KEY_PLACEHOLDER = '<YOUR_KEY>'

/** The scoring URL as a client outside the browser needs it: absolute, on the server's real origin. */
export function absoluteUrl(url: string, origin: string = window.location.origin): string {
  try {
    return new URL(url, origin).href
  } catch {
    return url
  }
}

export const isNumericColumn = (column: ServiceInputColumn) => column.type === 'number'
export const isBooleanColumn = (column: ServiceInputColumn) => column.type === 'boolean'

/** What the saved model tells about its inputs: its feature columns, and its summary (features, normalisation, centres). */
export interface ModelHints {
  features: readonly ModelFeatureColumn[]
  summary?: Record<string, unknown>
}

export const NO_HINTS: ModelHints = { features: [] }

const numbers = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

/**
 * A realistic number for a numeric column: the first cluster's centre where the model has centres,
 * else the middle of the training range (undoing the normalisation), else 0.
 */
function numericExample(name: string, summary: Record<string, unknown> | undefined): number {
  const at = numbers(summary?.features).indexOf(name)
  if (at < 0) return 0
  const centre = numbers(numbers(summary?.centroids)[0])[at]
  const normalization = summary?.normalization as { min?: unknown; scale?: unknown } | null | undefined
  const min = numbers(normalization?.min)[at]
  const scale = numbers(normalization?.scale)[at]
  let value: number
  if (typeof min === 'number' && typeof scale === 'number') value = min + scale * (typeof centre === 'number' ? centre : 0.5)
  else if (typeof centre === 'number') value = centre
  else return 0
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : 0
}

/**
 * A value the column accepts: a number from the model's training data, false for booleans, a date for
 * datetimes, and for text the model's first known category or "text".
 */
export function exampleValue(column: ServiceInputColumn, hints: ModelHints = NO_HINTS): CellValue {
  if (isNumericColumn(column)) return numericExample(column.name, hints.summary)
  if (isBooleanColumn(column)) return false
  if (column.type === 'datetime') return '2024-01-01T00:00:00Z'
  const categories = hints.features.find((f) => f.name === column.name)?.categories ?? []
  return categories[0] ?? 'text'
}

export function exampleRow(columns: readonly ServiceInputColumn[], hints: ModelHints = NO_HINTS): CellValue[] {
  return columns.map((column) => exampleValue(column, hints))
}

/** The request body the samples send: `{"dataframe_split": {"columns": [...], "data": [[...]]}}`. */
export function scoreBody(columns: readonly string[], rows: readonly (readonly CellValue[])[]) {
  return { dataframe_split: { columns: [...columns], data: rows.map((row) => [...row]) } }
}

/** JSON laid out for reading: objects one key a line, arrays of plain values on one line. */
export function readableJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`
    return `[\n${value.map((item) => `${inner}${readableJson(item, inner)}`).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${readableJson(item, inner)}`).join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}

/** A value as a Python literal (JSON's true/false/null are Python's True/False/None). */
export function pythonLiteral(value: CellValue): string {
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'float("nan")'
  return JSON.stringify(value)
}

const jsonList = (values: readonly unknown[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`
const pythonList = (values: readonly CellValue[]) => `[${values.map(pythonLiteral).join(', ')}]`

/** Text between single quotes in a POSIX shell (a quote inside becomes '\''). */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

export interface SampleInput {
  scoreUrl: string
  /** The key in full when it is being shown right now, else null (the samples then say KEY_PLACEHOLDER). */
  apiKey: string | null
  columns: readonly string[]
  rows: readonly (readonly CellValue[])[]
}

export function curlSample({ scoreUrl, apiKey, columns, rows }: SampleInput): string {
  const body = JSON.stringify(scoreBody(columns, rows))
  return [
    `curl -X POST ${shellQuote(scoreUrl)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${apiKey ?? KEY_PLACEHOLDER}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n')
}

export function pythonSample({ scoreUrl, apiKey, columns, rows }: SampleInput): string {
  return [
    'import json',
    '',
    'import requests',
    '',
    `SCORE_URL = ${JSON.stringify(scoreUrl)}`,
    `API_KEY = ${JSON.stringify(apiKey ?? KEY_PLACEHOLDER)}  # the service's primary or secondary key`,
    '',
    'payload = {',
    '    "dataframe_split": {',
    `        "columns": ${jsonList(columns)},`,
    '        "data": [',
    ...rows.map((row) => `            ${pythonList(row)},`),
    '        ],',
    '    }',
    '}',
    '',
    'response = requests.post(',
    '    SCORE_URL,',
    '    json=payload,',
    '    headers={"Authorization": f"Bearer {API_KEY}"},',
    '    timeout=30,',
    ')',
    'response.raise_for_status()',
    'print(json.dumps(response.json(), indent=2))',
  ].join('\n')
}

export function javascriptSample({ scoreUrl, apiKey, columns, rows }: SampleInput): string {
  return [
    `const SCORE_URL = ${JSON.stringify(scoreUrl)};`,
    `const API_KEY = ${JSON.stringify(apiKey ?? KEY_PLACEHOLDER)}; // the service's primary or secondary key`,
    '',
    'async function score() {',
    '  const response = await fetch(SCORE_URL, {',
    '    method: "POST",',
    '    headers: {',
    '      "Authorization": `Bearer ${API_KEY}`,',
    '      "Content-Type": "application/json",',
    '    },',
    '    body: JSON.stringify({',
    '      dataframe_split: {',
    `        columns: ${jsonList(columns)},`,
    '        data: [',
    ...rows.map((row) => `          ${jsonList(row)},`),
    '        ],',
    '      },',
    '    }),',
    '  });',
    '  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);',
    '  return response.json();',
    '}',
    '',
    'score().then((result) => console.log(JSON.stringify(result, null, 2)), console.error);',
  ].join('\n')
}

export type SampleLanguage = 'curl' | 'python' | 'javascript'

export const SAMPLES: { id: SampleLanguage; label: string; build: (input: SampleInput) => string }[] = [
  { id: 'curl', label: 'curl', build: curlSample },
  { id: 'python', label: 'Python', build: pythonSample },
  { id: 'javascript', label: 'JavaScript', build: javascriptSample },
]
