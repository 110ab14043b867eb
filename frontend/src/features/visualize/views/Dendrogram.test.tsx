import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { CLUSTER_COLORS } from '../palette'
import type { DendrogramView } from '../types'
import { Dendrogram, layoutDendrogram } from './Dendrogram'

// The tree of tests/modules/test_dendrogram.py: x = 0, 1, 3.5, 10, 12 under single linkage, cut at 4
// into {0, 1, 3.5} (cluster 0) and {10, 12} (cluster 1); leaves read 3, 4, 2, 0, 1.
const whole: DendrogramView = {
  icoord: [
    [5, 5, 15, 15],
    [35, 35, 45, 45],
    [25, 25, 40, 40],
    [10, 10, 32.5, 32.5],
  ],
  dcoord: [
    [0, 2, 2, 0],
    [0, 1, 1, 0],
    [0, 2.5, 2.5, 1],
    [2, 6.5, 6.5, 2.5],
  ],
  leaves: [3, 4, 2, 0, 1],
  leaf_labels: ['3', '4', '2', '0', '1'],
  leaf_counts: [1, 1, 1, 1, 1],
  leaf_clusters: [1, 1, 0, 0, 0],
  n_rows: 5,
  truncated: null,
  cut_height: 4,
}

describe('Dendrogram', () => {
  it('colours each link below the cut by its cluster and leaves the merges above it neutral', () => {
    const layout = layoutDendrogram(whole)
    expect(layout.links.map((link) => link.color)).toEqual([CLUSTER_COLORS[1], CLUSTER_COLORS[0], CLUSTER_COLORS[0], '#8a94a6'])
    // the cut line sits between the highest merge below it (2.5) and the last merge (6.5)
    const yOf = (height: number) => layout.baseline - (height / (6.5 * 1.05)) * (layout.baseline - 14)
    expect(layout.cutY).toBeCloseTo(yOf(4), 6)
    expect(layout.links[3].d.startsWith(`M${(52 + (10 / 50) * 692).toFixed(1)},${yOf(2).toFixed(1)}`)).toBe(true)
  })

  it('draws every link, every leaf and the cut line, and says that every merge is shown', () => {
    render(<Dendrogram view={whole} />)
    const svg = screen.getByTestId('dendrogram')
    expect(svg.getAttribute('data-links')).toBe('4')
    expect(svg.getAttribute('data-leaves')).toBe('5')
    expect(svg.getAttribute('data-cut')).toBe('4')
    expect(screen.getAllByTestId('dendrogram-link')).toHaveLength(4)
    expect(screen.getByTestId('dendrogram-cut').textContent).toBe('Cut at 4')
    expect(screen.getByTestId('dendrogram-note').textContent).toBe('Every merge of the 5 training rows.')
  })

  it('says when only the last merges are shown, and draws no cut line without a cut', () => {
    const truncated: DendrogramView = {
      icoord: [
        [15, 15, 25, 25],
        [5, 5, 20, 20],
      ],
      dcoord: [
        [0, 2.5, 2.5, 0],
        [0, 6.5, 6.5, 2.5],
      ],
      leaves: [6, 2, 5],
      leaf_labels: ['(2)', '2', '(2)'],
      leaf_counts: [2, 1, 2],
      n_rows: 5,
      truncated: { shown: 2, of: 4 },
      cut_height: null,
    }
    render(<Dendrogram view={truncated} />)
    expect(screen.getByTestId('dendrogram').getAttribute('data-truncated')).toBe('true')
    expect(screen.queryByTestId('dendrogram-cut')).toBeNull()
    expect(screen.getByTestId('dendrogram-note').textContent).toMatch(/^Showing the last 2 merges of 4/)
  })
})
