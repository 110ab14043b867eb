import { describe, expect, it } from 'vitest'
import { irisModel } from '../testing/fixtures'
import { buildCentroidHeatmapOption, heatLevels, originalUnits } from './modelCharts'

describe('centroid heat map', () => {
  it('one cell per cluster and feature, clusters down, features across', () => {
    const option = buildCentroidHeatmapOption(irisModel)
    expect((option.xAxis as { data: string[] }).data).toEqual(irisModel.features)
    expect((option.yAxis as { data: string[] }).data).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    const data = (option.series as Array<{ data: Array<{ value: number[] }> }>)[0].data
    expect(data).toHaveLength(irisModel.k * irisModel.features.length)
    const cell = data.find((d) => d.value[0] === 2 && d.value[1] === 1)!
    expect(cell.value[3]).toBe(irisModel.centroids[1][2])
  })

  it('normalised centroids are their own colour level; others are scaled per feature', () => {
    expect(heatLevels([[0.2, 1.3], [-0.1, 0.5]], true)).toEqual([[0.2, 1], [0, 0.5]])
    expect(heatLevels([[10, 5], [20, 5], [15, 5]], false)).toEqual([[0, 0.5], [1, 0.5], [0.5, 0.5]])
    expect(heatLevels([[null, 1]], false)).toEqual([[null, 0.5]])
  })

  it('maps normalised centroids back to original units', () => {
    const original = originalUnits(irisModel)
    const norm = irisModel.normalization!
    expect(original[0][0]).toBeCloseTo(norm.min[0]! + irisModel.centroids[0][0]! * norm.scale[0]!, 12)
    expect(originalUnits({ ...irisModel, normalize: false })).toBe(irisModel.centroids)
  })
})
