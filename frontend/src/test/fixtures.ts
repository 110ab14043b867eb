import realCatalogue from './catalogue.json'
import type { ModuleSpec } from '../api/types'

/** A small catalogue shaped like GET /api/modules (docs/api.md#modules). */
export const sampleCatalogue: ModuleSpec[] = [
  {
    id: 'train_clustering_model',
    name: 'Train Clustering Model',
    category: 'Machine Learning / Train',
    description: 'Trains a clustering model on a dataset.',
    inputs: [
      { id: 'untrained_model', name: 'Untrained model', type: 'untrained_cluster_model' },
      { id: 'dataset', name: 'Dataset', type: 'data_table' },
    ],
    outputs: [
      { id: 'trained_model', name: 'Trained model', type: 'trained_cluster_model' },
      { id: 'results_dataset', name: 'Results dataset', type: 'data_table' },
    ],
    params: [{ id: 'append', name: 'Check for Append or Uncheck for Result Only', type: 'bool', default: true }],
  },
  {
    id: 'kmeans_clustering',
    name: 'K-Means Clustering',
    category: 'Machine Learning / Initialize Model / Clustering',
    description: 'Configures a K-Means clustering model.',
    inputs: [],
    outputs: [{ id: 'untrained_model', name: 'Untrained model', type: 'untrained_cluster_model' }],
    params: [{ id: 'n_clusters', name: 'Number of Centroids', type: 'int', default: 2, min: 2 }],
  },
  {
    id: 'sweep_clustering',
    name: 'Sweep Clustering',
    category: 'Machine Learning / Train',
    description: 'Finds the best number of clusters.',
    inputs: [
      { id: 'untrained_model', name: 'Untrained model', type: 'untrained_cluster_model' },
      { id: 'dataset', name: 'Dataset', type: 'data_table' },
    ],
    outputs: [{ id: 'best_model', name: 'Best model', type: 'trained_cluster_model' }],
    params: [],
  },
  {
    id: 'dataset',
    name: 'Dataset',
    category: 'Saved Datasets',
    inputs: [],
    outputs: [{ id: 'dataset', name: 'Dataset', type: 'data_table' }],
    params: [{ id: 'dataset_id', name: 'Dataset', type: 'dataset' }],
  },
  {
    id: 'assign_data_to_clusters',
    name: 'Assign Data to Clusters',
    category: 'Machine Learning / Score',
    inputs: [
      { id: 'trained_model', name: 'Trained model', type: 'trained_cluster_model' },
      { id: 'dataset', name: 'Dataset', type: 'data_table' },
    ],
    outputs: [{ id: 'results_dataset', name: 'Results dataset', type: 'data_table' }],
    params: [],
  },
  {
    id: 'normalize_data',
    name: 'Normalize Data',
    category: 'Data Transformation / Scale and Reduce',
    inputs: [{ id: 'dataset', name: 'Dataset', type: 'data_table' }],
    outputs: [{ id: 'transformed_dataset', name: 'Transformed dataset', type: 'data_table' }],
    params: [],
  },
]

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export type RouteHandler = (init: RequestInit & { method: string; json: unknown }) => Response | Promise<Response>

/**
 * Stubs fetch with a router: `routes['/api/health']` answers that path (any method), and
 * `routes['PUT /api/experiments/1']` one method; anything else is a 404.
 */
export function stubFetch(routes: Record<string, RouteHandler>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]
    const method = (init.method ?? 'GET').toUpperCase()
    const route = routes[`${method} ${path}`] ?? routes[path]
    let json: unknown = undefined
    if (typeof init.body === 'string') {
      try {
        json = JSON.parse(init.body)
      } catch {
        json = init.body
      }
    }
    return route ? route({ ...init, method, json }) : jsonResponse({ detail: 'Not Found' }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** The server's catalogue as `GET /api/modules` answers (generated from the module registry). */
export const catalogue = realCatalogue as unknown as ModuleSpec[]
export const specOf = (id: string) => catalogue.find((m) => m.id === id) as ModuleSpec
export const kmeansSpec = specOf('kmeans_clustering')
export const splitSpec = specOf('split_data')
