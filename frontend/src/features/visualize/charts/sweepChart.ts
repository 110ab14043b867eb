// The Sweep Clustering chart: a metric against the number of centroids or a swept parameter (best per
// value as a line, every run as a dot, the best highlighted). Pure option building.
import type { EChartsOption } from 'echarts'
import { formatCount, formatNumber } from '../format'
import { CHART_MUTED, CHART_TEXT } from '../palette'
import type { MetricDirection, SweepParameter, SweepPoint, SweepVisualization } from '../types'
import { baseTextStyle, categoryAxis, escapeHtml, fixedGrid, tooltipStyle, valueAxis } from './common'
import { finiteExtent, niceScale } from './scale'

export const SWEEP_LINE = '#2f5bea'
export const SWEEP_RUNS = '#8a93a5'
export const SWEEP_BEST = '#e8590c'

/** The spec's order of the four sweep metrics (those present in the payload). */
export const METRIC_ORDER = ['Simplified Silhouette', 'Davies-Bouldin', 'Dunn', 'Average Deviation']

export function sweepMetrics(viz: Pick<SweepVisualization, 'series' | 'metric'>): string[] {
  const present = Object.keys(viz.series ?? {})
  const known = METRIC_ORDER.filter((name) => present.includes(name))
  return [...known, ...present.filter((name) => !known.includes(name))]
}

export function directionOf(viz: Pick<SweepVisualization, 'directions' | 'metric' | 'better'>, metric: string): MetricDirection {
  const given = viz.directions?.[metric]
  if (given) return given
  if (metric === viz.metric) return viz.better
  return metric === 'Davies-Bouldin' || metric === 'Average Deviation' ? 'lower' : 'higher'
}

export function directionNote(direction: MetricDirection): string {
  return direction === 'higher' ? 'Higher is better' : 'Lower is better'
}

/** The best k on one metric's series: best value in its direction, ties to fewer centroids. */
export function bestOf(points: SweepPoint[], direction: MetricDirection): { k: number; value: number } | null {
  let winner: { k: number; value: number } | null = null
  for (const point of [...points].sort((a, b) => a.k - b.k)) {
    const value = point.best
    if (value === null || !Number.isFinite(value)) continue
    if (!winner || (direction === 'higher' ? value > winner.value : value < winner.value)) winner = { k: point.k, value }
  }
  return winner
}

/** The best k to highlight: the sweep's own winner for its metric, else the best on `metric`. */
export function bestFor(viz: SweepVisualization, metric: string): { k: number; value: number } | null {
  if (metric === viz.metric && viz.best && viz.best.value !== null && Number.isFinite(viz.best.value)) {
    return { k: viz.best.k, value: viz.best.value }
  }
  return bestOf(viz.series[metric] ?? [], directionOf(viz, metric))
}

export interface SweepSeriesData {
  best: Array<[number, number]>
  mean: Array<[number, number]>
  runs: Array<[number, number, number | null]>
  hasRepeats: boolean
}

/** Line points (best and mean per k) and every run's value, ascending k, non-finite values left out. */
export function sweepSeriesData(points: SweepPoint[]): SweepSeriesData {
  const ordered = [...points].sort((a, b) => a.k - b.k)
  const best: Array<[number, number]> = []
  const mean: Array<[number, number]> = []
  const runs: Array<[number, number, number | null]> = []
  let hasRepeats = false
  for (const point of ordered) {
    if (point.best !== null && Number.isFinite(point.best)) best.push([point.k, point.best])
    if (point.mean !== null && Number.isFinite(point.mean)) mean.push([point.k, point.mean])
    const finite = point.values.filter((v): v is number => v !== null && Number.isFinite(v))
    if (finite.length > 1) hasRepeats = true
    point.values.forEach((value, i) => {
      if (value !== null && Number.isFinite(value)) runs.push([point.k, value, point.runs[i] ?? null])
    })
  }
  return { best, mean, runs, hasRepeats }
}

/** The x categories: every k from the smallest to the largest swept (gaps kept, so spacing is true). */
export function kCategories(ks: number[]): string[] {
  const extent = finiteExtent(ks)
  if (!extent) return []
  const [low, high] = extent
  if (high - low > 200) return [...new Set(ks)].sort((a, b) => a - b).map(String)
  return Array.from({ length: high - low + 1 }, (_, i) => String(low + i))
}

/** The x of the chart: the number of centroids, or the column of a swept parameter. */
export const K_AXIS = 'k'

/** What the x axis can be: the number of centroids, then every swept parameter (by column). */
export function sweepXOptions(viz: Pick<SweepVisualization, 'parameters'>): Array<{ id: string; label: string }> {
  return [{ id: K_AXIS, label: 'Number of centroids' }, ...(viz.parameters ?? []).map((p) => ({ id: p.column, label: p.column }))]
}

/** A swept parameter's value as an axis category (numbers as the format shows them). */
export function xLabel(value: number | string): string {
  return typeof value === 'number' ? formatNumber(value) : value
}

interface XAxisPlan {
  /** The points with k = the index of their category (for a parameter) or the true k. */
  points: SweepPoint[]
  categories: string[]
  label: (k: number) => string
  name: string
  /** "k = 3" or "Covariance type = full". */
  describe: (k: number) => string
  winner: { k: number; value: number } | null
}

function parameterPlan(viz: SweepVisualization, metric: string, parameter: SweepParameter): XAxisPlan {
  const categories = parameter.values.map(xLabel)
  const points = (parameter.series[metric] ?? []).map((p) => ({ ...p, k: categories.indexOf(xLabel(p.x)) }))
  const describe = (i: number) => `${parameter.column} = ${categories[i]}`
  let winner = bestOf(points, directionOf(viz, metric))
  // the sweep's own best run, when the chosen metric is shown: the value it was trained with
  if (metric === viz.metric && viz.best && viz.best.run !== null && viz.best.value !== null) {
    const holder = points.find((p) => p.runs.includes(viz.best!.run))
    if (holder) winner = { k: holder.k, value: viz.best.value }
  }
  return { points, categories, label: (i) => categories[i], name: parameter.column, describe, winner }
}

function kPlan(viz: SweepVisualization, metric: string): XAxisPlan {
  const points = viz.series[metric] ?? []
  return {
    points,
    categories: kCategories(points.map((p) => p.k)),
    label: (k) => String(k),
    name: 'Number of centroids (k)',
    describe: (k) => `k = ${k}`,
    winner: bestFor(viz, metric),
  }
}

/** The ECharts option of one metric against k (default) or against a swept parameter's column. */
export function buildSweepOption(viz: SweepVisualization, metric: string, x: string = K_AXIS): EChartsOption {
  const parameter = x === K_AXIS ? undefined : viz.parameters?.find((p) => p.column === x)
  const plan = parameter ? parameterPlan(viz, metric, parameter) : kPlan(viz, metric)
  const { points, categories, label, describe, winner } = plan
  const direction = directionOf(viz, metric)
  const data = sweepSeriesData(points)
  const values = data.runs.map((r) => r[1]).concat(data.best.map((b) => b[1]))
  const extent = finiteExtent(values) ?? [0, 1]
  const yScale = niceScale(extent[0], extent[1], 0.12, 5)
  const lineName = data.hasRepeats ? `Best ${metric} per ${parameter ? 'value' : 'k'}` : metric
  const series: object[] = [
    {
      type: 'line',
      id: 'best-per-k',
      name: lineName,
      data: data.best.map(([k, v]) => [label(k), v]),
      symbol: 'circle',
      symbolSize: 9,
      lineStyle: { width: 2.5, color: SWEEP_LINE },
      itemStyle: { color: SWEEP_LINE, borderColor: '#fff', borderWidth: 2 },
      z: 3,
    },
  ]
  if (winner) {
    // The best k's guide line sits under every mark (its label is on the best-k series above).
    ;(series[0] as Record<string, unknown>).markLine = {
      silent: true,
      symbol: 'none',
      label: { show: false },
      lineStyle: { color: SWEEP_BEST, type: 'dashed', width: 1.2, opacity: 0.7 },
      data: [{ xAxis: label(winner.k) }],
    }
  }
  if (data.hasRepeats) {
    series.push(
      {
        type: 'line',
        id: 'mean-per-k',
        name: parameter ? 'Mean per value' : 'Mean per k',
        data: data.mean.map(([k, v]) => [label(k), v]),
        symbol: 'none',
        lineStyle: { width: 1.5, type: 'dashed', color: SWEEP_RUNS },
        itemStyle: { color: SWEEP_RUNS },
        z: 2,
      },
      {
        type: 'scatter',
        id: 'all-runs',
        name: 'Every run',
        data: data.runs.map(([k, v, run]) => [label(k), v, run]),
        symbolSize: 7,
        itemStyle: { color: 'rgba(93, 103, 121, 0.45)', borderColor: 'rgba(93, 103, 121, 0.8)', borderWidth: 0.5 },
        z: 2,
      },
    )
  }
  if (winner) {
    series.push({
      type: 'scatter',
      id: 'best-k',
      name: `Best ${describe(winner.k)}`,
      data: [[label(winner.k), winner.value]],
      symbol: 'circle',
      symbolSize: 18,
      itemStyle: { color: 'rgba(232, 89, 12, 0.18)', borderColor: SWEEP_BEST, borderWidth: 2.5 },
      label: {
        show: true,
        position: direction === 'higher' ? 'top' : 'bottom',
        distance: 10,
        formatter: `Best ${describe(winner.k)}`,
        color: SWEEP_BEST,
        fontWeight: 700,
        fontSize: 12,
        backgroundColor: '#fff',
        padding: [2, 4],
      },
      z: 4,
    })
  }
  const legendNames = series.map((s) => (s as { name: string }).name)
  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 70, right: 28, top: 56, bottom: 52 }),
    legend: {
      data: legendNames,
      top: 6,
      left: 'center',
      icon: 'circle',
      itemWidth: 10,
      itemHeight: 10,
      textStyle: { color: CHART_TEXT, fontSize: 12 },
      selectedMode: false,
    },
    xAxis: categoryAxis(categories, {
      name: plan.name,
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { color: CHART_MUTED, fontSize: 12, fontWeight: 600 },
      boundaryGap: true,
      axisTick: { show: true, alignWithLabel: true, lineStyle: { color: '#cfd5e1' } },
      axisLabel: { color: CHART_TEXT, fontSize: 12 },
    }),
    yAxis: valueAxis(`${metric} (${directionNote(direction).toLowerCase()})`, { ...yScale, nameGap: 52 }),
    tooltip: {
      trigger: 'item',
      ...tooltipStyle,
      formatter: ((params: { seriesId: string; value: [string, number, number | null] }) => {
        const [xText, value, run] = params.value
        const point = points.find((p) => label(p.k) === xText)
        const where = escapeHtml(point ? describe(point.k) : xText)
        if (params.seriesId === 'all-runs') {
          return `Run ${run ?? '—'} · ${where}<br/>${escapeHtml(metric)} ${formatNumber(value)}`
        }
        const extra = point && (point.count ?? point.values.length) > 1 ? `<br/>${formatCount(point.count ?? point.values.length)} runs, mean ${formatNumber(point.mean)}` : ''
        const prefix = params.seriesId === 'best-k' ? '<b>Best</b> · ' : ''
        return `${prefix}${where}<br/>${escapeHtml(metric)} ${formatNumber(value)}${extra}`
      }) as never,
    },
    series: series as never,
  }
}
