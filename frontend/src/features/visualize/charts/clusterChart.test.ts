import { describe, expect, it } from 'vitest'
import { NOISE_COLOR, clusterColor, darken } from '../palette'
import { irisClusters } from '../testing/fixtures'
import type { ClusterVisualization } from '../types'
import {
  LARGE_THRESHOLD,
  axisTitle,
  buildClusterChartOption,
  buildClusterSizesOption,
  buildDistanceHistogramsOption,
  chartExtent,
  chartedGroups,
  clusterIndices,
  countDrawnPoints,
  ellipseFillRenderer,
  ellipseRenderer,
  histogramBarRenderer,
  smallMultiplesLayout,
  splitPointsByCluster,
} from './clusterChart'
import { ellipsePolygon } from './ellipse'

type AnySeries = { id: string; name: string; type: string; data: unknown; large?: boolean; symbol?: string; dimensions?: string[] }
const seriesOf = (option: ReturnType<typeof buildClusterChartOption>) => option.series as unknown as AnySeries[]

describe('splitPointsByCluster', () => {
  it('keeps each point with its cluster and row, in order', () => {
    const parts = splitPointsByCluster({ x: [1, 2, 3, 4], y: [5, 6, 7, 8], cluster: [1, 0, 1, 9], row: [10, 11, 12, 13] }, [0, 1])
    expect(parts.map((p) => p.cluster)).toEqual([0, 1])
    expect(Array.from(parts[0].xy)).toEqual([2, 6])
    expect(Array.from(parts[0].rows)).toEqual([11])
    expect(Array.from(parts[1].xy)).toEqual([1, 5, 3, 7])
    expect(Array.from(parts[1].rows)).toEqual([10, 12])
  })
})

describe('buildClusterChartOption', () => {
  const option = buildClusterChartOption(irisClusters)
  const series = seriesOf(option)

  it('names every series of cluster j "Cluster j" and lists exactly those in the legend', () => {
    expect((option.legend as { data: string[] }).data).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(new Set(series.map((s) => s.name))).toEqual(new Set(['Cluster 0', 'Cluster 1', 'Cluster 2']))
  })

  it('has one scatter, one ellipse and one centroid series per cluster', () => {
    const byKind = (prefix: string) => series.filter((s) => s.id.startsWith(prefix)).map((s) => s.name)
    expect(byKind('points-')).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(byKind('ellipse-')).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(byKind('centroid-')).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(series.filter((s) => s.id.startsWith('ellipse-')).every((s) => s.type === 'custom')).toBe(true)
    const centroids = series.filter((s) => s.id.startsWith('centroid-'))
    expect(centroids.every((s) => s.symbol === 'diamond')).toBe(true)
    expect(centroids[1].data).toEqual([[irisClusters.centroids[1].x, irisClusters.centroids[1].y]])
  })

  it('draws every point once, with its row for the tooltip', () => {
    expect(countDrawnPoints(option)).toBe(irisClusters.points.x.length)
    const zero = series.find((s) => s.id === 'points-0')!
    const expected = irisClusters.points.cluster.flatMap((c, i) =>
      c === 0 ? [[irisClusters.points.x[i], irisClusters.points.y[i], irisClusters.points.row[i]]] : [],
    )
    expect(zero.data).toEqual(expected)
    expect(zero.large).toBe(false)
  })

  it('labels the axes with the explained variance', () => {
    expect((option.xAxis as { name: string }).name).toBe('PC1 (84.1% variance)')
    expect((option.yAxis as { name: string }).name).toBe('PC2 (11.8% variance)')
    expect(axisTitle(1, undefined)).toBe('PC1')
  })

  it('sets axis ranges that hold points, centroids and ellipses', () => {
    const extent = chartExtent(irisClusters)
    for (const e of irisClusters.ellipses) {
      for (const [x, y] of ellipsePolygon(e)) {
        expect(x).toBeGreaterThanOrEqual(extent.x.min)
        expect(x).toBeLessThanOrEqual(extent.x.max)
        expect(y).toBeGreaterThanOrEqual(extent.y.min)
        expect(y).toBeLessThanOrEqual(extent.y.max)
      }
    }
  })

  it('hides the clusters switched off in the legend', () => {
    const hidden = buildClusterChartOption(irisClusters, { hidden: new Set([1]) })
    expect((hidden.legend as { selected: Record<string, boolean> }).selected).toEqual({
      'Cluster 0': true,
      'Cluster 1': false,
      'Cluster 2': true,
    })
  })

  it('switches big clusters to the large-data mode with flat typed arrays', () => {
    const n = 3 * (LARGE_THRESHOLD + 10)
    const big: ClusterVisualization = {
      ...irisClusters,
      sampled: false,
      points: {
        x: Array.from({ length: n }, (_, i) => i / n),
        y: Array.from({ length: n }, (_, i) => ((i * 7) % n) / n),
        cluster: Array.from({ length: n }, (_, i) => i % 3),
        row: Array.from({ length: n }, (_, i) => i),
      },
    }
    const option = buildClusterChartOption(big)
    const points = seriesOf(option).filter((s) => s.id.startsWith('points-'))
    expect(points.every((s) => s.large === true)).toBe(true)
    expect(points.every((s) => s.data instanceof Float32Array)).toBe(true)
    expect(countDrawnPoints(option)).toBe(n)
  })

  it('counts clusters from k, sizes and centroids', () => {
    expect(clusterIndices({ k: 2, cluster_sizes: [{ cluster: 3, count: 1 }], centroids: [] })).toEqual([0, 1, 2, 3])
  })
})

describe('ellipse renderers', () => {
  const polygon = ellipsePolygon({ cx: 1, cy: 1, rx: 1, ry: 0.5, angle_deg: 30 }, 8)
  const api = { coord: ([x, y]: number[]) => [x * 100, 400 - y * 100] }
  const pixels = polygon.map(([x, y]) => [x * 100, 400 - y * 100])

  it('outlines the polygon mapped through the coordinate system, on a white halo', () => {
    const shape = ellipseRenderer(polygon, clusterColor(2))(null, api)
    expect(shape.type).toBe('group')
    expect(shape.children.map((c) => c.shape.points)).toEqual([pixels, pixels])
    expect(shape.children[0].style.stroke).toMatch(/^rgba\(255, 255, 255/)
    expect(shape.children[1].style.stroke).toBe(darken(clusterColor(2), 0.18))
  })

  it('fills it lightly in the cluster colour', () => {
    const shape = ellipseFillRenderer(polygon, clusterColor(2))(null, api)
    expect(shape.shape.points).toEqual(pixels)
    expect(shape.style.fill).toMatch(/^rgba\(15, 159, 143, 0\.0\d+\)$/)
  })

  it('puts fills under the points and outlines over them', () => {
    const ids = seriesOf(buildClusterChartOption(irisClusters)).map((s) => s.id)
    expect(ids.indexOf('fill-2')).toBeLessThan(ids.indexOf('points-0'))
    expect(ids.indexOf('ellipse-0')).toBeGreaterThan(ids.indexOf('points-2'))
    expect(darken('#ffffff', 0.5)).toBe('#808080')
  })
})

describe('cluster sizes and distance histograms', () => {
  it('one bar per cluster in the cluster colour, cluster 0 first', () => {
    const option = buildClusterSizesOption([{ cluster: 1, count: 50 }, { cluster: 0, count: 39 }, { cluster: 2, count: 61 }])
    expect((option.yAxis as { data: string[] }).data).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    const bars = (option.series as Array<{ data: Array<{ value: number; itemStyle: { color: string } }> }>)[0].data
    expect(bars.map((b) => b.value)).toEqual([39, 50, 61])
    expect(bars.map((b) => b.itemStyle.color)).toEqual([clusterColor(0), clusterColor(1), clusterColor(2)])
  })

  it('a panel per cluster sharing one distance range', () => {
    const option = buildDistanceHistogramsOption(irisClusters.distance_histograms)
    const series = option.series as Array<{ name: string; data: Array<[number, number, number]>; xAxisIndex: number }>
    expect(series.map((s) => s.name)).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(series.map((s) => s.xAxisIndex)).toEqual([0, 1, 2])
    const first = irisClusters.distance_histograms[0]
    expect(series[0].data[0]).toEqual([first.edges[0], first.edges[1], first.counts[0]])
    const axes = option.xAxis as Array<{ min: number; max: number }>
    expect(new Set(axes.map((a) => `${a.min}:${a.max}`)).size).toBe(1)
    expect((option.grid as unknown[]).length).toBe(3)
  })

  it('lays small multiples out in rows of at most four', () => {
    expect(smallMultiplesLayout(3)).toMatchObject({ columns: 3, rows: 1 })
    expect(smallMultiplesLayout(10)).toMatchObject({ columns: 4, rows: 3 })
  })

  it('draws a histogram bin from its edges down to zero', () => {
    const api = { value: (d: number) => [0.5, 1, 8][d], coord: ([x, y]: number[]) => [x * 100, 200 - y * 10] }
    const rect = histogramBarRenderer('#2f5bea')(null, api)
    expect(rect.shape.x).toBeCloseTo(50.5)
    expect(rect.shape.width).toBeCloseTo(49)
    expect(rect.shape.y).toBe(120)
    expect(rect.shape.height).toBe(80)
  })
})

describe('noise in the cluster chart', () => {
  // two clusters and three noise rows (-1): noise has no centroid, ellipse or size bar
  const noisy: ClusterVisualization = {
    ...irisClusters,
    k: 2,
    noise_count: 3,
    distance_columns: [],
    distance_histograms: [],
    cluster_sizes: [
      { cluster: 0, count: 2 },
      { cluster: 1, count: 1 },
    ],
    points: { x: [0, 1, 2, 3, 4, 5], y: [0, 1, 2, 3, 4, 5], cluster: [0, -1, 1, -1, 0, -1], row: [0, 1, 2, 3, 4, 5] },
    centroids: irisClusters.centroids.slice(0, 2),
    ellipses: irisClusters.ellipses.slice(0, 2),
  }
  const option = buildClusterChartOption(noisy)
  const series = seriesOf(option)

  it('draws the noise points as one grey "Noise" series, not in a cluster colour', () => {
    const noise = series.find((s) => s.id === 'points-noise')!
    expect(noise.name).toBe('Noise')
    expect(noise.data).toEqual([
      [1, 1, 1],
      [3, 3, 3],
      [5, 5, 5],
    ])
    const color = (noise as unknown as { itemStyle: { color: string } }).itemStyle.color
    expect(color).toBe(NOISE_COLOR)
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(clusterColor)).not.toContain(NOISE_COLOR)
    expect(countDrawnPoints(option)).toBe(6)
  })

  it('lists noise last in the legend and leaves it out of centroids and ellipses', () => {
    expect(chartedGroups(noisy)).toEqual([0, 1, -1])
    expect((option.legend as { data: string[] }).data).toEqual(['Cluster 0', 'Cluster 1', 'Noise'])
    expect(series.filter((s) => s.id.startsWith('centroid-')).map((s) => s.name)).toEqual(['Cluster 0', 'Cluster 1'])
    expect(series.filter((s) => s.id.startsWith('ellipse-')).map((s) => s.name)).toEqual(['Cluster 0', 'Cluster 1'])
  })

  it('hides noise like a cluster from the legend', () => {
    const hidden = buildClusterChartOption(noisy, { hidden: new Set([-1]) })
    expect((hidden.legend as { selected: Record<string, boolean> }).selected).toEqual({
      'Cluster 0': true,
      'Cluster 1': true,
      Noise: false,
    })
  })

  it('adds no noise group to results without noise', () => {
    expect(chartedGroups(irisClusters)).toEqual([0, 1, 2])
  })
})
