// The cluster chart (PCA scatter, 2σ ellipses, centroids), the cluster-size bars and the distance
// histograms, as ECharts options. Pure: the chart library itself is loaded lazily by EChart.tsx.
import type { EChartsOption } from 'echarts'
import { formatCount, formatNumber, formatPercent } from '../format'
import { CHART_MUTED, CHART_TEXT, NOISE_LABEL, clusterColor, clusterName, darken, withAlpha } from '../palette'
import type { ClusterEllipse, ClusterVisualization } from '../types'
import { baseTextStyle, categoryAxis, escapeHtml, fixedGrid, tooltipStyle, valueAxis } from './common'
import { ellipseBounds, ellipsePolygon, type Point } from './ellipse'
import { finiteExtent, niceScale, type NiceScale } from './scale'

/**
 * Above this many points (in all clusters together) the scatter switches to ECharts' large-data mode:
 * each cluster is drawn as one path from a flat typed array (no per-point elements), which keeps the
 * first paint of a 5,000-point sample and the drawing of 100,000 points fast.
 */
export const LARGE_THRESHOLD = 2000

export interface ClusterPoints {
  cluster: number
  /** Interleaved x, y of this cluster's points. */
  xy: Float64Array
  /** The original row of each point (same order). */
  rows: Int32Array
}

/** The clusters of the chart, 0 … k−1 (from k, sizes, points and centroids, whichever says more). */
export function clusterIndices(viz: Pick<ClusterVisualization, 'k' | 'cluster_sizes' | 'centroids'>): number[] {
  let k = Number.isFinite(viz.k) ? viz.k : 0
  for (const size of viz.cluster_sizes ?? []) k = Math.max(k, size.cluster + 1)
  for (const centroid of viz.centroids ?? []) k = Math.max(k, centroid.cluster + 1)
  return Array.from({ length: Math.max(0, k) }, (_, i) => i)
}

/** The point groups the chart draws: the clusters, then noise (-1) when the results have any. */
export function chartedGroups(viz: Pick<ClusterVisualization, 'k' | 'cluster_sizes' | 'centroids' | 'noise_count' | 'points'>): number[] {
  const clusters = clusterIndices(viz)
  const noisy = (viz.noise_count ?? 0) > 0 || viz.points.cluster.includes(NOISE_LABEL)
  return noisy ? [...clusters, NOISE_LABEL] : clusters
}

/** The id of a group's point series: `points-j`, or `points-noise`. */
export function pointsSeriesId(cluster: number): string {
  return cluster === NOISE_LABEL ? 'points-noise' : `points-${cluster}`
}

/** Column-wise points split by cluster in one pass (two for the counts), as typed arrays. */
export function splitPointsByCluster(points: ClusterVisualization['points'], clusters: number[]): ClusterPoints[] {
  const n = Math.min(points.x.length, points.y.length, points.cluster.length)
  const slot = new Map<number, number>(clusters.map((cluster, index) => [cluster, index]))
  const counts = new Array<number>(clusters.length).fill(0)
  for (let i = 0; i < n; i += 1) {
    const index = slot.get(points.cluster[i])
    if (index !== undefined) counts[index] += 1
  }
  const result = clusters.map((cluster, index) => ({
    cluster,
    xy: new Float64Array(counts[index] * 2),
    rows: new Int32Array(counts[index]),
  }))
  const filled = new Array<number>(clusters.length).fill(0)
  for (let i = 0; i < n; i += 1) {
    const index = slot.get(points.cluster[i])
    if (index === undefined) continue
    const at = filled[index]
    const target = result[index]
    target.xy[2 * at] = points.x[i]
    target.xy[2 * at + 1] = points.y[i]
    target.rows[at] = points.row?.[i] ?? i
    filled[index] = at + 1
  }
  return result
}

/** "PC1 (84.1% variance)". */
export function axisTitle(component: 1 | 2, ratio: number | undefined): string {
  return Number.isFinite(ratio) ? `PC${component} (${formatPercent(ratio)} variance)` : `PC${component}`
}

/** Marker size for a scatter of `n` points: smaller as the cloud gets denser. */
export function pointSize(n: number): number {
  if (n <= 500) return 7
  if (n <= 2000) return 5.5
  if (n <= 6000) return 4.5
  if (n <= 30000) return 3
  return 2
}

/** The axis ranges that hold every point, centroid and ellipse. */
export function chartExtent(
  viz: Pick<ClusterVisualization, 'points' | 'centroids' | 'ellipses'>,
): { x: NiceScale; y: NiceScale } {
  const xs: number[] = []
  const ys: number[] = []
  const px = finiteExtent(viz.points.x)
  const py = finiteExtent(viz.points.y)
  if (px) xs.push(...px)
  if (py) ys.push(...py)
  for (const centroid of viz.centroids) {
    xs.push(centroid.x)
    ys.push(centroid.y)
  }
  for (const ellipse of viz.ellipses) {
    const [x0, x1, y0, y1] = ellipseBounds(ellipse)
    xs.push(x0, x1)
    ys.push(y0, y1)
  }
  const ex = finiteExtent(xs) ?? [0, 1]
  const ey = finiteExtent(ys) ?? [0, 1]
  return { x: niceScale(ex[0], ex[1], 0.02, 8), y: niceScale(ey[0], ey[1], 0.03, 6) }
}

interface RenderApi {
  coord: (value: number[]) => number[]
}

/** The light fill of one ellipse (drawn under the points). */
export function ellipseFillRenderer(polygon: Point[], color: string) {
  return (_params: unknown, api: RenderApi) => ({
    type: 'polygon',
    shape: { points: polygon.map((point) => api.coord(point)) },
    style: { fill: withAlpha(color, 0.08), stroke: 'none' },
  })
}

/**
 * The outline of one ellipse (drawn over the points, so dense clouds do not hide it): the polygon
 * mapped to pixels, a darker shade of the cluster colour on a white halo.
 */
export function ellipseRenderer(polygon: Point[], color: string) {
  return (_params: unknown, api: RenderApi) => {
    const points = polygon.map((point) => api.coord(point))
    return {
      type: 'group',
      children: [
        { type: 'polygon', shape: { points }, style: { fill: 'none', stroke: 'rgba(255, 255, 255, 0.85)', lineWidth: 4 } },
        { type: 'polygon', shape: { points }, style: { fill: 'none', stroke: darken(color, 0.18), lineWidth: 1.8 } },
      ],
    }
  }
}

export interface ClusterChartOptions {
  /** Clusters whose series are hidden (legend toggles). */
  hidden?: ReadonlySet<number>
}

interface TooltipParams {
  seriesId?: string
  seriesName?: string
  data?: unknown
  value?: unknown
}

function tooltipFor(viz: ClusterVisualization, ellipsesByCluster: Map<number, ClusterEllipse>) {
  return (params: TooltipParams | TooltipParams[]) => {
    const item = Array.isArray(params) ? params[0] : params
    if (!item) return ''
    const id = item.seriesId ?? ''
    const cluster = id.endsWith('-noise') ? NOISE_LABEL : Number(id.split('-')[1])
    const name = escapeHtml(item.seriesName ?? clusterName(cluster))
    const dot = `<span style="display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:${clusterColor(cluster)}"></span>`
    const value = (Array.isArray(item.value) ? item.value : Array.isArray(item.data) ? item.data : []) as number[]
    if (id.startsWith('centroid-')) {
      const size = viz.cluster_sizes.find((s) => s.cluster === cluster)?.count
      return `${dot}<b>Centroid of ${name}</b><br/>PC1 ${formatNumber(value[0])} · PC2 ${formatNumber(value[1])}${
        size !== undefined ? `<br/>${formatCount(size)} rows` : ''
      }`
    }
    if (id.startsWith('ellipse-')) {
      const ellipse = ellipsesByCluster.get(cluster)
      const sigma = viz.ellipse_sigma ?? 2
      return `${dot}<b>${name}</b><br/>${sigma}σ ellipse${ellipse?.count !== undefined ? ` of ${formatCount(ellipse.count)} rows` : ''}`
    }
    const row = value[2]
    return `${dot}<b>${name}</b>${Number.isFinite(row) ? ` · row ${formatCount(row + 1)}` : ''}<br/>PC1 ${formatNumber(value[0])} · PC2 ${formatNumber(value[1])}`
  }
}

/** The ECharts option of the cluster chart. Every series of cluster j is named "Cluster j"; noise
 * points (cluster -1) are one grey series "Noise", drawn under the clusters. */
export function buildClusterChartOption(viz: ClusterVisualization, options: ClusterChartOptions = {}): EChartsOption {
  const clusters = chartedGroups(viz)
  const names = clusters.map(clusterName)
  const split = splitPointsByCluster(viz.points, clusters)
  const total = split.reduce((sum, part) => sum + part.rows.length, 0)
  const size = pointSize(total)
  const extent = chartExtent(viz)
  const ratios = viz.projection?.explained_variance_ratio ?? []
  const ellipsesByCluster = new Map(viz.ellipses.map((e) => [e.cluster, e]))

  const polygons = viz.ellipses
    .map((ellipse) => ({ ellipse, polygon: ellipsePolygon(ellipse) }))
    .filter(({ polygon }) => polygon.length > 0)
  const fillSeries = polygons.map(({ ellipse, polygon }) => ({
    type: 'custom' as const,
    id: `fill-${ellipse.cluster}`,
    name: clusterName(ellipse.cluster),
    coordinateSystem: 'cartesian2d' as const,
    renderItem: ellipseFillRenderer(polygon, clusterColor(ellipse.cluster)) as never,
    data: [[ellipse.cx, ellipse.cy]],
    encode: { x: 0, y: 1 },
    clip: true,
    silent: true,
    z: 1,
  }))
  const ellipseSeries = polygons.map(({ ellipse, polygon }) => ({
      type: 'custom' as const,
      id: `ellipse-${ellipse.cluster}`,
      name: clusterName(ellipse.cluster),
      coordinateSystem: 'cartesian2d' as const,
      renderItem: ellipseRenderer(polygon, clusterColor(ellipse.cluster)) as never,
      data: [[ellipse.cx, ellipse.cy]],
      encode: { x: 0, y: 1 },
      clip: true,
      silent: false,
      z: 3,
      itemStyle: { color: clusterColor(ellipse.cluster) },
    }))

  const pointSeries = split.map(({ cluster, xy, rows }) => {
    const count = rows.length
    const large = total > LARGE_THRESHOLD && count > 0
    const color = clusterColor(cluster)
    const noise = cluster === NOISE_LABEL
    let data: unknown
    if (large) {
      // Large mode draws one path per series; a flat typed array is ECharts' cheapest input.
      data = Float32Array.from(xy)
    } else {
      const items = new Array<[number, number, number]>(count)
      for (let i = 0; i < count; i += 1) items[i] = [xy[2 * i], xy[2 * i + 1], rows[i]]
      data = items
    }
    return {
      type: 'scatter' as const,
      id: pointsSeriesId(cluster),
      name: clusterName(cluster),
      data: data as never,
      dimensions: large ? ['x', 'y'] : ['x', 'y', 'row'],
      symbol: 'circle',
      symbolSize: size,
      large,
      largeThreshold: large ? 1 : LARGE_THRESHOLD,
      progressive: large ? 0 : undefined,
      itemStyle: { color, opacity: noise ? 0.8 : total > 20000 ? 0.5 : 0.72, borderWidth: 0 },
      emphasis: { disabled: large, scale: 1.6, itemStyle: { opacity: 1 } },
      z: noise ? 1.5 : 2,
    }
  })

  const centroidSeries = viz.centroids.map((centroid) => ({
    type: 'scatter' as const,
    id: `centroid-${centroid.cluster}`,
    name: clusterName(centroid.cluster),
    data: [[centroid.x, centroid.y]],
    symbol: 'diamond',
    symbolSize: 18,
    itemStyle: {
      color: clusterColor(centroid.cluster),
      borderColor: '#ffffff',
      borderWidth: 2,
      shadowBlur: 4,
      shadowColor: 'rgba(16, 24, 40, 0.45)',
    },
    emphasis: { scale: 1.25 },
    z: 4,
  }))

  const selected: Record<string, boolean> = {}
  for (const cluster of clusters) selected[clusterName(cluster)] = !options.hidden?.has(cluster)

  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 62, right: 20, top: 14, bottom: 50 }),
    xAxis: valueAxis(axisTitle(1, ratios[0]), { ...extent.x, nameGap: 30 }),
    yAxis: valueAxis(axisTitle(2, ratios[1]), { ...extent.y, nameGap: 44 }),
    legend: { show: false, data: names, selected },
    tooltip: { trigger: 'item', confine: true, ...tooltipStyle, formatter: tooltipFor(viz, ellipsesByCluster) as never },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'inside', yAxisIndex: 0, filterMode: 'none' },
    ],
    series: [...fillSeries, ...pointSeries, ...ellipseSeries, ...centroidSeries] as never,
  }
}

/** How many points the option draws (all scatter series but the centroids). */
export function countDrawnPoints(option: EChartsOption): number {
  const series = (Array.isArray(option.series) ? option.series : option.series ? [option.series] : []) as Array<{
    id?: string
    data?: ArrayLike<unknown>
    dimensions?: unknown[]
  }>
  let total = 0
  for (const s of series) {
    if (!String(s.id).startsWith('points-') || !s.data) continue
    total += ArrayBuffer.isView(s.data) ? s.data.length / (s.dimensions?.length ?? 2) : s.data.length
  }
  return total
}

/** Horizontal bars of the cluster sizes ("Cluster 0" on top), labelled with count and share. */
export function buildClusterSizesOption(sizes: Array<{ cluster: number; count: number }>): EChartsOption {
  const ordered = [...sizes].sort((a, b) => a.cluster - b.cluster)
  const total = ordered.reduce((sum, s) => sum + s.count, 0)
  const longest = Math.max(...ordered.map((s) => `${formatCount(s.count)} (${formatPercent(total ? s.count / total : 0)})`.length), 8)
  return {
    animation: false,
    textStyle: baseTextStyle,
    grid: fixedGrid({ left: 76, right: Math.min(140, 12 + longest * 6.6), top: 6, bottom: 6 }),
    xAxis: { type: 'value', show: false, max: (value: { max: number }) => value.max || 1 },
    yAxis: categoryAxis(
      ordered.map((s) => clusterName(s.cluster)),
      { inverse: true, axisLabel: { color: CHART_TEXT, fontSize: 12, fontWeight: 500 } },
    ),
    tooltip: {
      trigger: 'item',
      ...tooltipStyle,
      formatter: ((params: { name: string; value: number }) =>
        `<b>${escapeHtml(params.name)}</b><br/>${formatCount(params.value)} rows · ${formatPercent(total ? params.value / total : 0)}`) as never,
    },
    series: [
      {
        type: 'bar',
        id: 'cluster-sizes',
        name: 'Rows',
        barMaxWidth: 22,
        barCategoryGap: '30%',
        data: ordered.map((s) => ({
          value: s.count,
          itemStyle: { color: clusterColor(s.cluster), borderRadius: [0, 4, 4, 0] },
        })),
        label: {
          show: true,
          position: 'right',
          color: CHART_MUTED,
          fontSize: 11,
          formatter: ((params: { value: number }) =>
            `${formatCount(params.value)} (${formatPercent(total ? params.value / total : 0)})`) as never,
        },
        showBackground: true,
        backgroundStyle: { color: 'rgba(16, 24, 40, 0.035)', borderRadius: [0, 4, 4, 0] },
      },
    ],
  }
}

export interface SmallMultiplesLayout {
  columns: number
  rows: number
  cellHeight: number
  height: number
}

/** A grid of `count` panels, at most `maxColumns` wide. */
export function smallMultiplesLayout(count: number, maxColumns = 4, cellHeight = 168): SmallMultiplesLayout {
  const columns = Math.max(1, Math.min(maxColumns, count))
  const rows = Math.max(1, Math.ceil(count / columns))
  return { columns, rows, cellHeight, height: rows * cellHeight + 8 }
}

/** One histogram of distances to the own centre per cluster, as small multiples sharing one x range. */
export function buildDistanceHistogramsOption(
  histograms: ClusterVisualization['distance_histograms'],
  layout: SmallMultiplesLayout = smallMultiplesLayout(histograms.length),
): EChartsOption {
  const ordered = [...histograms].sort((a, b) => a.cluster - b.cluster)
  const allEdges = ordered.flatMap((h) => h.edges)
  const [lo, hi] = finiteExtent(allEdges) ?? [0, 1]
  // Distances are not negative: the shared axis starts at 0 (a multiple of any interval).
  const xScale = niceScale(Math.min(0, lo), hi, 0.01, 4)
  if (lo >= 0) xScale.min = 0
  const width = 100 / layout.columns
  const grids: object[] = []
  const xAxes: object[] = []
  const yAxes: object[] = []
  const titles: object[] = []
  const series: object[] = []
  ordered.forEach((histogram, index) => {
    const column = index % layout.columns
    const row = Math.floor(index / layout.columns)
    const top = row * layout.cellHeight
    const left = column * width
    const color = clusterColor(histogram.cluster)
    const count = histogram.count ?? histogram.counts.reduce((a, b) => a + b, 0)
    grids.push(fixedGrid({ left: `${left + 4.5}%`, width: `${width - 7}%`, top: top + 30, height: layout.cellHeight - 62 }))
    titles.push({
      text: `{name|${clusterName(histogram.cluster)}}  {count|${formatCount(count)} rows}`,
      left: `${left + 4.5}%`,
      top: top + 4,
      textStyle: {
        rich: {
          name: { fontSize: 12, fontWeight: 650, color },
          count: { fontSize: 11, color: CHART_MUTED },
        },
      },
    })
    xAxes.push(
      valueAxis('', {
        gridIndex: index,
        ...xScale,
        splitLine: { show: false },
        nameGap: 0,
      }),
    )
    yAxes.push(
      valueAxis('', {
        gridIndex: index,
        splitNumber: 2,
        minInterval: 1,
        axisLine: { show: false },
        axisTick: { show: false },
        nameGap: 0,
      }),
    )
    const bins: Array<[number, number, number]> = histogram.counts.map((c, i) => [histogram.edges[i], histogram.edges[i + 1], c])
    series.push({
      type: 'custom',
      id: `distances-${histogram.cluster}`,
      name: clusterName(histogram.cluster),
      xAxisIndex: index,
      yAxisIndex: index,
      data: bins,
      encode: { x: [0, 1], y: 2 },
      renderItem: histogramBarRenderer(color) as never,
      tooltip: {
        formatter: ((params: { value: [number, number, number] }) =>
          `<b>${clusterName(histogram.cluster)}</b><br/>distance ${formatNumber(params.value[0])} – ${formatNumber(params.value[1])}<br/>${formatCount(params.value[2])} rows`) as never,
      },
    })
  })
  return {
    animation: false,
    textStyle: baseTextStyle,
    title: titles as never,
    grid: grids as never,
    xAxis: xAxes as never,
    yAxis: yAxes as never,
    tooltip: { trigger: 'item', ...tooltipStyle },
    series: series as never,
  }
}

interface HistogramApi {
  value: (dimension: number) => number
  coord: (value: number[]) => number[]
}

/** A custom-series renderer that draws a histogram bin [lo, hi) × [0, count] as a rectangle. */
export function histogramBarRenderer(color: string) {
  return (_params: unknown, api: HistogramApi) => {
    const [x0, y0] = api.coord([api.value(0), 0])
    const [x1, y1] = api.coord([api.value(1), api.value(2)])
    const left = Math.min(x0, x1)
    return {
      type: 'rect',
      shape: { x: left + 0.5, y: Math.min(y0, y1), width: Math.max(1, Math.abs(x1 - x0) - 1), height: Math.abs(y0 - y1) },
      style: { fill: withAlpha(color, 0.78) },
      emphasis: { style: { fill: color } },
    }
  }
}
