import { describe, expect, it } from 'vitest'
import { fieldKey, mapIssues, worstSeverity } from './mapIssues'

describe('validation issues mapped to nodes, fields, ports and edges', () => {
  const map = mapIssues({
    errors: [
      { node_id: 'km', param: 'n_clusters', code: '0005', message: 'Number of Centroids must be ≥ 2' },
      { node_id: 'train', port: 'dataset', code: '0003', message: 'Input Dataset is not connected' },
      { edge_id: 'e1', node_id: 'train', port: 'untrained_model', code: '0013', message: 'type mismatch' },
      { code: '0039', message: 'The graph has a cycle' },
    ],
    warnings: [{ node_id: 'sweep', code: 'W', message: 'Single mode given to Sweep' }],
  })

  it('puts field problems on the node and on the field', () => {
    expect(map.byField.get(fieldKey('km', 'n_clusters'))?.[0].code).toBe('0005')
    expect(map.byNode.get('km')).toHaveLength(1)
  })

  it('puts port and edge problems where they belong', () => {
    expect(map.byPort.get(fieldKey('train', 'dataset'))?.[0].code).toBe('0003')
    expect(map.byEdge.get('e1')?.[0].code).toBe('0013')
    expect(map.byNode.get('train')).toHaveLength(2)
  })

  it('keeps issues that name nothing as general and counts severities', () => {
    expect(map.general.map((i) => i.code)).toEqual(['0039'])
    expect(map.errorCount).toBe(4)
    expect(map.warningCount).toBe(1)
    expect(worstSeverity(map.byNode.get('sweep'))).toBe('warning')
    expect(worstSeverity(map.byNode.get('km'))).toBe('error')
    expect(worstSeverity(undefined)).toBeNull()
  })
})

describe('short messages', () => {
  it('drops the node prefix the server adds', async () => {
    const { shortMessage } = await import('./mapIssues')
    expect(shortMessage("Node 'n1' (Train Clustering Model): input 'Dataset' is not connected.")).toBe("Input 'Dataset' is not connected.")
    expect(shortMessage("Node 'kmeans': Parameter 'Number of Centroids' (n_clusters) must be ≥ 2, got 1.")).toBe("Parameter 'Number of Centroids' (n_clusters) must be ≥ 2, got 1.")
    expect(shortMessage('The graph has a cycle')).toBe('The graph has a cycle')
  })
})
