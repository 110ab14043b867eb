// The trained model's centroid heat map (clusters × features). Pure option building.
import type { EChartsOption } from 'echarts'
import { formatNumber } from '../format'
import { CHART_MUTED, CHART_TEXT, clusterName } from '../palette'
import type { ModelWithCentroids } from '../types'
import { baseTextStyle, categoryAxis, escapeHtml, fixedGrid, tooltipStyle } from './common'

/** Light to dark blue, from the brand colour. */
export const HEAT_COLORS = ['#f4f7ff', '#c9d7fb', '#8aa7f3', '#4c74e6', '#2449c7', '#14287a']

/**
 * The colour position (0 … 1) of each centroid value. With normalised features the centroids already
 * sit in the training range [0, 1]; without, each feature is scaled over the k centroids (a constant
 * feature sits in the middle), so features of different units stay comparable.
 */
export function heatLevels(centroids: Array<Array<number | null>>, normalized: boolean): Array<Array<number | null>> {
  if (normalized) {
    return centroids.map((row) => row.map((v) => (v === null || !Number.isFinite(v) ? null : Math.min(1, Math.max(0, v)))))
  }
  const width = Math.max(0, ...centroids.map((row) => row.length))
  const lows: number[] = []
  const highs: number[] = []
  for (let j = 0; j < width; j += 1) {
    const column = centroids.map((row) => row[j]).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v))
    lows.push(column.length ? Math.min(...column) : 0)
    highs.push(column.length ? Math.max(...column) : 0)
  }
  return centroids.map((row) =>
    row.map((v, j) => {
      if (v === null || !Number.isFinite(v)) return null
      const span = highs[j] - lows[j]
      return span > 0 ? (v - lows[j]) / span : 0.5
    }),
  )
}

/** Centroid values in the original units: min + value × scale (normalised models only). */
export function originalUnits(model: Pick<ModelWithCentroids, 'centroids' | 'normalization' | 'normalize'>): Array<Array<number | null>> {
  const norm = model.normalization
  if (!model.normalize || !norm) return model.centroids
  return model.centroids.map((row) =>
    row.map((v, j) => {
      const lo = norm.min[j]
      const scale = norm.scale[j]
      if (v === null || lo === null || lo === undefined || scale === null || scale === undefined) return v
      return lo + v * scale
    }),
  )
}

export function buildCentroidHeatmapOption(model: ModelWithCentroids): EChartsOption {
  const features = model.features
  const clusters = model.centroids.map((_, i) => clusterName(i))
  const levels = heatLevels(model.centroids, model.normalize)
  const original = originalUnits(model)
  const data: Array<{ value: [number, number, number | null, number | null, number | null]; label: { color: string } }> = []
  model.centroids.forEach((row, i) =>
    row.forEach((value, j) => {
      const level = levels[i][j]
      // Dark cells get light text.
      const color = level !== null && level > 0.55 ? '#ffffff' : CHART_TEXT
      data.push({ value: [j, i, level, value, original[i]?.[j] ?? null], label: { color } })
    }),
  )
  const cells = features.length * clusters.length
  const longestFeature = Math.max(0, ...features.map((f) => f.length))
  const rotate = features.length > 6 || longestFeature * features.length > 90 ? 35 : 0
  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 84, right: 84, top: 8, bottom: rotate ? Math.min(140, 24 + longestFeature * 5.5) : 36 }),
    xAxis: categoryAxis(features, {
      position: 'bottom',
      axisLabel: { color: CHART_TEXT, fontSize: 11, rotate, interval: 0, width: 120, overflow: 'truncate' },
      splitArea: { show: false },
    }),
    yAxis: categoryAxis(clusters, {
      inverse: true,
      axisLabel: { color: CHART_TEXT, fontSize: 12, fontWeight: 500 },
    }),
    visualMap: {
      type: 'continuous',
      min: 0,
      max: 1,
      dimension: 2,
      calculable: false,
      orient: 'vertical',
      right: 6,
      top: 'middle',
      itemHeight: 120,
      itemWidth: 12,
      text: model.normalize ? ['max', 'min'] : ['high', 'low'],
      textStyle: { color: CHART_MUTED, fontSize: 11 },
      inRange: { color: HEAT_COLORS },
    },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle,
      formatter: ((params: { value: [number, number, number | null, number | null, number | null] }) => {
        const [j, i, , value, raw] = params.value
        const scaled = model.normalize && model.normalization ? `<br/>original units ${formatNumber(raw)}` : ''
        return `<b>${clusterName(i)}</b> · ${escapeHtml(features[j] ?? '')}<br/>centroid ${formatNumber(value)}${scaled}`
      }) as never,
    },
    series: [
      {
        type: 'heatmap',
        id: 'centroids',
        name: 'Centroids',
        data: data as never,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2, borderRadius: 3 },
        label: {
          show: cells <= 160,
          fontSize: 11,
          formatter: ((params: { value: [number, number, number | null, number | null] }) => formatNumber(params.value[3], 3)) as never,
        },
        emphasis: { itemStyle: { borderColor: CHART_TEXT, borderWidth: 1.5 } },
      },
    ],
  }
}
