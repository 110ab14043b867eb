import { describe, expect, it } from 'vitest'
import {
  formatAxisTick,
  formatCell,
  formatCount,
  formatNumber,
  formatPercent,
  formatResultCell,
  formatSeconds,
  humanize,
  isAssignmentsColumn,
  plural,
} from './format'

describe('formatNumber', () => {
  it('groups integers', () => {
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(5000)).toBe('5,000')
    expect(formatNumber(-1234567)).toBe('-1,234,567')
  })

  it('keeps four significant digits and drops trailing zeros', () => {
    expect(formatNumber(3.14159)).toBe('3.142')
    expect(formatNumber(0.1234567)).toBe('0.1235')
    expect(formatNumber(2.5)).toBe('2.5')
    expect(formatNumber(0.7327615118397861)).toBe('0.7328')
    expect(formatNumber(-0.00012346)).toBe('-0.0001235')
  })

  it('groups large non-integers and uses exponents at the extremes', () => {
    expect(formatNumber(1234.5678)).toBe('1,235')
    expect(formatNumber(12345.678)).toBe('12,345.68')
    expect(formatNumber(1.5e12 + 0.5)).toBe('1.5e12')
    expect(formatNumber(2e9 + 0.25)).toBe('2e9')
    expect(formatNumber(4.2e-7)).toBe('4.2e-7')
  })

  it('honours the significant digits asked for', () => {
    expect(formatNumber(0.123456789, 6)).toBe('0.123457')
    expect(formatNumber(5.1, 6)).toBe('5.1')
  })

  it('shows missing and non-finite values', () => {
    expect(formatNumber(null)).toBe('—')
    expect(formatNumber(undefined)).toBe('—')
    expect(formatNumber(Number.NaN)).toBe('—')
    expect(formatNumber(Infinity)).toBe('∞')
    expect(formatNumber(-Infinity)).toBe('−∞')
    expect(formatNumber('text')).toBe('text')
  })

  it('never shows negative zero', () => {
    expect(formatNumber(-0.00000000001 * 0)).toBe('0')
  })
})

describe('other formats', () => {
  it('counts and percentages', () => {
    expect(formatCount(100000)).toBe('100,000')
    expect(formatCount(null)).toBe('—')
    expect(formatPercent(0.8413603821315435)).toBe('84.1%')
    expect(formatPercent(0.1175, 0)).toBe('12%')
    expect(formatPercent(undefined)).toBe('—')
  })

  it('durations', () => {
    expect(formatSeconds(0.29456)).toBe('295 ms')
    expect(formatSeconds(0.0014534)).toBe('1.5 ms')
    expect(formatSeconds(2.35)).toBe('2.35 s')
    expect(formatSeconds(65.2)).toBe('1 min 5 s')
    expect(formatSeconds(null)).toBe('—')
  })

  it('axis ticks', () => {
    expect(formatAxisTick(0)).toBe('0')
    expect(formatAxisTick(0.25)).toBe('0.25')
    expect(formatAxisTick(-0.6000000000000001)).toBe('-0.6')
    expect(formatAxisTick(2500)).toBe('2,500')
    expect(formatAxisTick(3e6)).toBe('3e6')
  })

  it('grid cells', () => {
    expect(formatCell(null)).toBe('')
    expect(formatCell(5.1)).toBe('5.1')
    expect(formatCell(0.050842762725831714)).toBe('0.0508428')
    expect(formatCell(true)).toBe('true')
    expect(formatCell('Iris-setosa')).toBe('Iris-setosa')
  })

  it('names', () => {
    expect(humanize('results_dataset')).toBe('Results dataset')
    expect(humanize('sweep_results')).toBe('Sweep results')
    expect(plural(1, 'row')).toBe('1 row')
    expect(plural(150, 'row')).toBe('150 rows')
  })
})

describe('assignments cells', () => {
  it('knows the assignments columns by the names the modules give them', () => {
    expect(isAssignmentsColumn('Assignments')).toBe(true)
    expect(isAssignmentsColumn('Assignments (2)')).toBe(true)
    expect(isAssignmentsColumn('Assignments of mine')).toBe(false)
    expect(isAssignmentsColumn('DistancesToClusterCenter no.0')).toBe(false)
  })

  it('shows the noise label as "Noise" in an assignments column only', () => {
    expect(formatResultCell(-1, true)).toBe('Noise')
    expect(formatResultCell(2, true)).toBe('2')
    expect(formatResultCell(-1, false)).toBe('-1')
    expect(formatResultCell(null, true)).toBe('')
  })
})
