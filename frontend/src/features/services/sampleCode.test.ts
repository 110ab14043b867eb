import { describe, expect, it } from 'vitest'
import type { ServiceInputColumn } from '../../api/services'
import { absoluteUrl, curlSample, exampleRow, javascriptSample, pythonLiteral, pythonSample, readableJson, scoreBody } from './sampleCode'
import { lastHours } from './ServiceUsage'
import { cellValue, parseCsv, rowsFromCsv, tableFromResponse } from './testData'

const columns: ServiceInputColumn[] = [
  { name: 'sepal_length', type: 'number' },
  { name: 'colour', type: 'string' },
  { name: 'wild', type: 'boolean' },
]

const input = { scoreUrl: 'http://studio.example:8000/api/services/s-1/score', apiKey: null, columns: ['sepal_length', 'colour'], rows: [[5.1, "it's red"]] }

describe('the sample code', () => {
  it('builds an example row from the input columns and what the model knows of them', () => {
    expect(exampleRow(columns, { features: [{ name: 'colour', kind: 'onehot', categories: ['red', 'blue'] }] })).toEqual([0, 'red', false])
    expect(exampleRow(columns)).toEqual([0, 'text', false])
    // The first centre, undoing the normalisation: 4.3 + 3.6 × 0.7072649572649572.
    const summary = { features: ['sepal_length', 'colour=red'], normalization: { min: [4.3, 0], scale: [3.6, 1] }, centroids: [[0.7072649572649572, 1]] }
    expect(exampleRow(columns, { features: [], summary })).toEqual([6.846, 'text', false])
    // No centres: the middle of the training range; not normalised: the centre itself.
    expect(exampleRow(columns.slice(0, 1), { features: [], summary: { ...summary, centroids: undefined } })).toEqual([6.1])
    expect(exampleRow(columns.slice(0, 1), { features: [], summary: { ...summary, normalization: null } })).toEqual([0.7073])
  })

  it('sends the dataframe_split shape', () => {
    expect(scoreBody(['a', 'b'], [[1, 'x']])).toEqual({ dataframe_split: { columns: ['a', 'b'], data: [[1, 'x']] } })
  })

  it('lays JSON out for reading, plain arrays on one line', () => {
    expect(readableJson({ dataframe_split: { columns: ['a', 'b'], data: [[1, 'x'], [2, null]] }, empty: {} })).toBe(
      '{\n  "dataframe_split": {\n    "columns": ["a", "b"],\n    "data": [\n      [1, "x"],\n      [2, null]\n    ]\n  },\n  "empty": {}\n}',
    )
    expect(JSON.parse(readableJson({ a: [[1], [2]] }))).toEqual({ a: [[1], [2]] })
  })

  it('makes the scoring URL absolute on the page’s origin', () => {
    expect(absoluteUrl('/api/services/s-1/score', 'http://127.0.0.1:8123')).toBe('http://127.0.0.1:8123/api/services/s-1/score')
    expect(absoluteUrl('https://studio.example/api/services/s-1/score', 'http://127.0.0.1:8123')).toBe('https://studio.example/api/services/s-1/score')
  })

  it('writes Python literals', () => {
    expect([true, false, null, 1.5, 'a"b'].map((v) => pythonLiteral(v))).toEqual(['True', 'False', 'None', '1.5', '"a\\"b"'])
  })

  it('curl: the key placeholder, the body quoted for the shell', () => {
    expect(curlSample(input)).toBe(
      [
        `curl -X POST 'http://studio.example:8000/api/services/s-1/score' \\`,
        `  -H 'Authorization: Bearer <YOUR_KEY>' \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  -d '{"dataframe_split":{"columns":["sepal_length","colour"],"data":[[5.1,"it'\\''s red"]]}}'`,
      ].join('\n'),
    )
  })

  it('Python: requests with the key shown right now', () => {
    const code = pythonSample({ ...input, apiKey: 'csk_secret', rows: [[5.1, 'red'], [6, null]] })
    expect(code).toContain('SCORE_URL = "http://studio.example:8000/api/services/s-1/score"')
    expect(code).toContain('API_KEY = "csk_secret"')
    expect(code).toContain('"columns": ["sepal_length", "colour"],')
    expect(code).toContain('            [5.1, "red"],\n            [6, None],')
    expect(code).toContain('headers={"Authorization": f"Bearer {API_KEY}"}')
    expect(code).toContain('print(json.dumps(response.json(), indent=2))')
  })

  it('JavaScript: fetch in an async function', () => {
    const code = javascriptSample(input)
    expect(code).toContain('const API_KEY = "<YOUR_KEY>";')
    expect(code).toContain('"Authorization": `Bearer ${API_KEY}`,')
    expect(code).toContain('columns: ["sepal_length", "colour"],')
    expect(code).toContain('[5.1, "it\'s red"],')
    expect(code.trim().endsWith('score().then((result) => console.log(JSON.stringify(result, null, 2)), console.error);')).toBe(true)
  })
})

describe('the test form’s data', () => {
  it('parses CSV with quotes, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n\n1,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ])
  })

  it('types cells by column: numbers, booleans, missing; text that is not a number is sent as typed', () => {
    expect(cellValue(columns[0], ' 5.1 ')).toBe(5.1)
    expect(cellValue(columns[0], 'five')).toBe('five')
    expect(cellValue(columns[0], '')).toBeNull()
    expect(cellValue(columns[2], 'TRUE')).toBe(true)
    expect(cellValue(columns[1], 'red')).toBe('red')
  })

  it('reads pasted rows with a header in any order, or without one in the columns’ order', () => {
    expect(rowsFromCsv('wild,colour,extra,sepal_length\n0,red,x,5.1\n', columns)).toEqual({ ok: true, rows: [[5.1, 'red', false]] })
    expect(rowsFromCsv('5.1,red,1\n6,blue,0', columns)).toEqual({ ok: true, rows: [[5.1, 'red', true], [6, 'blue', false]] })
    expect(rowsFromCsv('sepal_length,colour\n5,red', columns)).toEqual({ ok: false, error: 'The header lacks “wild”.' })
    expect(rowsFromCsv('5.1,red', columns)).toMatchObject({ ok: false, error: expect.stringContaining('Row 1 has 2 values; 3 are needed') })
  })

  it('reads the answer whatever shape it comes in', () => {
    const table = { columns: ['Assignments', 'score0'], rows: [[1, 0.5]] }
    expect(tableFromResponse({ dataframe_split: { columns: ['Assignments', 'score0'], data: [[1, 0.5]] } })).toEqual(table)
    expect(tableFromResponse({ columns: ['Assignments', 'score0'], data: [[1, 0.5]] })).toEqual(table)
    expect(tableFromResponse({ records: [{ Assignments: 1, score0: 0.5 }] })).toEqual(table)
    expect(tableFromResponse([{ Assignments: 1, score0: 0.5 }])).toEqual(table)
    expect(tableFromResponse({ Results: { output1: { ColumnNames: ['Assignments', 'score0'], Values: [[1, 0.5]] } } })).toEqual(table)
    expect(tableFromResponse({ Results: { output1: [{ Assignments: 1, score0: 0.5 }] } })).toEqual(table)
    const classic = { ColumnNames: ['Assignments', 'score0'], ColumnTypes: ['Int64', 'Double'], Values: [[1, 0.5]] }
    expect(tableFromResponse({ Results: { output1: { type: 'table', value: classic } } })).toEqual(table)
    expect(tableFromResponse('text')).toBeNull()
  })
})

describe('the usage chart’s hours', () => {
  it('are the last 24 hours ending with the current one, empty where there was no request', () => {
    const usage = (hour: string, requests: number) => ({ hour, requests, rows: requests, errors: 0, p50_ms: 1, p95_ms: 2 })
    const slots = lastHours([usage('2026-03-04T09:00:00', 5), usage('2026-03-04T12:00:00+00:00', 7), usage('2026-03-03T09:00:00Z', 9)], new Date('2026-03-04T12:34:56Z'))
    expect(slots).toHaveLength(24)
    expect(slots[0].start.toISOString()).toBe('2026-03-03T13:00:00.000Z')
    expect(slots[23].start.toISOString()).toBe('2026-03-04T12:00:00.000Z')
    expect(slots.flatMap((slot, i) => (slot.usage ? [[i, slot.usage.requests]] : []))).toEqual([
      [20, 5],
      [23, 7],
    ])
  })
})
