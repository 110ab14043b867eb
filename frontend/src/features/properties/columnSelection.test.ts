import { describe, expect, it } from 'vitest'
import type { ColumnInfo } from '../../api/types'
import { asSelection, defaultNumericColumns, describeSelection, evaluateSelection, parseIndices } from './columnSelection'

const iris: ColumnInfo[] = [
  { name: 'sepal_length', type: 'numeric' },
  { name: 'sepal_width', type: 'numeric' },
  { name: 'petal_length', type: 'numeric' },
  { name: 'petal_width', type: 'numeric' },
  { name: 'species', type: 'string' },
  { name: 'flag', type: 'boolean' },
]

describe('column selection evaluation', () => {
  it('selects by name, keeping the table order', () => {
    expect(evaluateSelection(iris, { names: ['petal_width', 'sepal_length'] })).toEqual({
      ok: true,
      columns: ['sepal_length', 'petal_width'],
    })
  })

  it('reports unknown names as 0001', () => {
    const result = evaluateSelection(iris, { names: ['sepal_length', 'nope', 'gone'] })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.code).toBe('0001')
      expect(result.message).toContain('‘nope’, ‘gone’')
    }
  })

  it('selects 1-based indices with ranges; out of range is 0001', () => {
    expect(evaluateSelection(iris, { indices: '1-2, 5' })).toEqual({ ok: true, columns: ['sepal_length', 'sepal_width', 'species'] })
    const bad = evaluateSelection(iris, { indices: '7' })
    expect(bad.ok || bad.code).toBe('0001')
    expect(evaluateSelection(iris, { indices: '2-1' })).toMatchObject({ ok: false, code: '0002' })
    expect(parseIndices('3, 1-2, 3')).toEqual({ ok: true, indices: [3, 1, 2] })
  })

  it('applies rules in order: start from all, exclude a type, include a name back', () => {
    const selection = asSelection({
      rules: {
        start: 'all',
        steps: [
          { op: 'exclude', type: 'numeric' },
          { op: 'include', names: ['petal_width'] },
          { op: 'exclude', names: ['flag'] },
        ],
      },
    })
    expect(evaluateSelection(iris, selection)).toEqual({ ok: true, columns: ['petal_width', 'species'] })
  })

  it('starts from no columns and includes by type', () => {
    const result = evaluateSelection(iris, { rules: { start: 'none', steps: [{ op: 'include', type: 'numeric' }, { op: 'exclude', names: ['sepal_width'] }] } })
    expect(result).toEqual({ ok: true, columns: ['sepal_length', 'petal_length', 'petal_width'] })
  })

  it('an empty result is 0011; a rule naming a missing column is 0001', () => {
    expect(evaluateSelection(iris, { rules: { start: 'none', steps: [{ op: 'include', type: 'datetime' }] } })).toMatchObject({ ok: false, code: '0011' })
    expect(evaluateSelection(iris, { rules: { start: 'all', steps: [{ op: 'exclude', names: ['x'] }] } })).toMatchObject({ ok: false, code: '0001' })
  })

  it('null means the default columns (numeric, without the label)', () => {
    const defaults = defaultNumericColumns(iris, ['petal_width'])
    expect(evaluateSelection(iris, null, defaults)).toEqual({ ok: true, columns: ['sepal_length', 'sepal_width', 'petal_length'] })
  })

  it('normalises stored forms and describes them', () => {
    expect(asSelection(['a', 'b'])).toEqual({ names: ['a', 'b'] })
    expect(asSelection('{"indices": "1-3"}')).toEqual({ indices: '1-3' })
    expect(asSelection('not json')).toBeNull()
    expect(describeSelection(null)).toBe('Default')
    expect(describeSelection({ names: ['a', 'b', 'c', 'd'] })).toBe('a, b and 2 more')
    expect(describeSelection({ rules: { start: 'all', steps: [{ op: 'exclude', type: 'string' }] } })).toBe('All columns, exclude all string')
  })
})
