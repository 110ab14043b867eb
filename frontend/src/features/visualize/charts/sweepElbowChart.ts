// The sweep view's two small charts beside the metric chart: the elbow (inertia against k, the knee the
// server found with Kneedle and the sweep's best k marked) and the seeds' agreement (mean pairwise ARI
// per k: how reproducible each k is). Pure option building.
import type { EChartsOption } from 'echarts'
import { formatNumber } from '../format'
import { CHART_MUTED, CHART_TEXT } from '../palette'
import type { SweepVisualization } from '../types'
import { baseTextStyle, categoryAxis, fixedGrid, tooltipStyle, valueAxis } from './common'
import { finiteExtent, niceScale } from './scale'
import { kCategories, SWEEP_BEST, SWEEP_LINE } from './sweepChart'

export const KNEE_COLOR = '#0f9d58'
export const STABILITY_LINE = '#7048e8'

const xAxis = (categories: string[]) =>
  categoryAxis(categories, {
    name: 'Number of centroids (k)',
    nameLocation: 'middle',
    nameGap: 30,
    nameTextStyle: { color: CHART_MUTED, fontSize: 12, fontWeight: 600 },
    boundaryGap: true,
    axisTick: { show: true, alignWithLabel: true, lineStyle: { color: '#cfd5e1' } },
    axisLabel: { color: CHART_TEXT, fontSize: 12 },
  })

const legend = (names: string[]) => ({
  data: names,
  top: 6,
  left: 'center',
  icon: 'circle',
  itemWidth: 10,
  itemHeight: 10,
  textStyle: { color: CHART_TEXT, fontSize: 12 },
  selectedMode: false,
})

/** The knee's and the best configuration's k on the elbow (null where there is none). */
export function elbowMarks(viz: SweepVisualization): { knee: number | null; best: number | null } {
  const ks = new Set((viz.elbow?.points ?? []).map((p) => p.k))
  const best = viz.best && ks.has(viz.best.k) ? viz.best.k : null
  return { knee: viz.elbow?.knee?.k ?? null, best }
}

/** Inertia against k: a line, the knee as a green ring, the sweep's best k as an orange one. */
export function buildElbowOption(viz: SweepVisualization): EChartsOption {
  const points = [...(viz.elbow?.points ?? [])].sort((a, b) => a.k - b.k)
  const categories = kCategories(points.map((p) => p.k))
  const inertiaOf = new Map(points.map((p) => [p.k, p.inertia]))
  const marks = elbowMarks(viz)
  const extent = finiteExtent(points.map((p) => p.inertia)) ?? [0, 1]
  const series: object[] = [
    {
      type: 'line',
      id: 'inertia',
      name: 'Inertia (lowest per k)',
      data: points.map((p) => [String(p.k), p.inertia]),
      symbol: 'circle',
      symbolSize: 8,
      lineStyle: { width: 2.5, color: SWEEP_LINE },
      itemStyle: { color: SWEEP_LINE, borderColor: '#fff', borderWidth: 2 },
      z: 3,
    },
  ]
  if (marks.knee !== null) {
    series.push({
      type: 'scatter',
      id: 'knee',
      name: `Knee k = ${marks.knee}`,
      data: [[String(marks.knee), inertiaOf.get(marks.knee)]],
      symbolSize: 20,
      itemStyle: { color: 'rgba(15, 157, 88, 0.15)', borderColor: KNEE_COLOR, borderWidth: 2.5 },
      label: {
        show: true,
        position: 'right',
        distance: 10,
        formatter: `Knee k = ${marks.knee}`,
        color: KNEE_COLOR,
        fontWeight: 700,
        fontSize: 12,
        backgroundColor: '#fff',
        padding: [2, 4],
      },
      z: 5,
    })
  }
  if (marks.best !== null) {
    series.push({
      type: 'scatter',
      id: 'best-k',
      name: `Best k = ${marks.best}`,
      data: [[String(marks.best), inertiaOf.get(marks.best)]],
      symbol: 'diamond',
      symbolSize: 14,
      itemStyle: { color: SWEEP_BEST, borderColor: '#fff', borderWidth: 1.5 },
      label: {
        show: marks.best !== marks.knee,
        position: 'top',
        distance: 8,
        formatter: `Best k = ${marks.best}`,
        color: SWEEP_BEST,
        fontWeight: 700,
        fontSize: 12,
      },
      z: 4,
    })
  }
  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 70, right: 28, top: 56, bottom: 52 }),
    legend: legend(series.map((s) => (s as { name: string }).name)),
    xAxis: xAxis(categories),
    yAxis: valueAxis('Inertia (within-cluster sum of squares)', { ...niceScale(extent[0], extent[1], 0.08, 5), nameGap: 52 }),
    tooltip: {
      trigger: 'item',
      ...tooltipStyle,
      formatter: ((params: { value: [string, number] }) => {
        const [k, value] = params.value
        const point = points.find((p) => String(p.k) === k)
        const runs = point && point.count > 1 ? ` (lowest of ${point.count} runs)` : ''
        const notes = [Number(k) === marks.knee ? 'the knee' : '', Number(k) === marks.best ? 'the best k' : ''].filter(Boolean)
        return `k = ${k}${notes.length ? ` · ${notes.join(', ')}` : ''}<br/>Inertia ${formatNumber(value)}${runs}`
      }) as never,
    },
    series: series as never,
  }
}

/** The seeds' mean pairwise ARI per k (1 = every seed found the same clustering). */
export function buildStabilityOption(viz: SweepVisualization): EChartsOption {
  const points = [...(viz.stability?.points ?? [])].sort((a, b) => a.k - b.k)
  const low = Math.min(0, ...points.map((p) => p.min_ari))
  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 70, right: 28, top: 40, bottom: 52 }),
    legend: legend(['Mean ARI across seeds']),
    xAxis: xAxis(kCategories(points.map((p) => p.k))),
    yAxis: valueAxis('Mean ARI across seeds', { min: low, max: 1, nameGap: 44 }),
    tooltip: {
      trigger: 'item',
      ...tooltipStyle,
      formatter: ((params: { value: [string, number] }) => {
        const point = points.find((p) => String(p.k) === params.value[0])
        const spread = point?.spread != null ? `<br/>Spread of the chosen metric (std) ${formatNumber(point.spread)}` : ''
        return `k = ${params.value[0]} · ${point?.runs ?? '—'} runs<br/>Mean pairwise ARI ${formatNumber(params.value[1])}${spread}`
      }) as never,
    },
    series: [
      {
        type: 'line',
        id: 'stability',
        name: 'Mean ARI across seeds',
        data: points.map((p) => [String(p.k), p.ari]),
        symbol: 'circle',
        symbolSize: 7,
        lineStyle: { width: 2, color: STABILITY_LINE },
        itemStyle: { color: STABILITY_LINE, borderColor: '#fff', borderWidth: 1.5 },
      },
    ] as never,
  }
}
