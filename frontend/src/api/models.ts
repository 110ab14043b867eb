// Saved (trained) models: the shapes of /api/models (named from the generated ./openapi.gen.ts) and the
// calls to it.

import { apiFetch, apiGet, apiSend } from './client'
import type { components } from './openapi.gen'
import type { ListOf } from './types'

type Schemas = components['schemas']

/** One input column of a model, and how it becomes numbers (modules/features.py FeatureColumn). The
 * server's schema types these as plain objects, so their shape is written here. */
export interface ModelFeatureColumn {
  name: string
  /** numeric, boolean, datetime or onehot. */
  kind: string
  /** A onehot column's categories, in feature order. */
  categories?: string[]
}

/** Where a saved model was trained (null for an imported one); plain ids, the model outlives both. */
export type ModelSource = Schemas['ModelSource']

/**
 * A saved model. `feature_columns` with their shape; `summary` (what the output view shows of a trained
 * model) optional: only the service page's example values read it, and the frontend's tests build models
 * without one.
 */
export type SavedModel = Omit<Schemas['SavedModelPublic'], 'feature_columns' | 'summary'> & {
  feature_columns: ModelFeatureColumn[]
  summary?: Schemas['SavedModelPublic']['summary']
}

export type ModelExportFormat = 'onnx' | 'pmml' | 'json'

const modelPath = (id: string) => `/api/models/${encodeURIComponent(id)}`

export const listModels = (signal?: AbortSignal) => apiGet<ListOf<SavedModel>>('/api/models', signal)

export const getModel = (id: string, signal?: AbortSignal) => apiGet<SavedModel>(modelPath(id), signal)

/** Keeps a trained model output of a run as a saved model that outlives the run. */
export const saveModel = (body: { run_id: number; node_id: string; port: string; name: string; description?: string }) =>
  apiSend<SavedModel>('POST', '/api/models', body)

export const updateModel = (id: string, body: { name?: string; description?: string }) =>
  apiFetch<SavedModel>(modelPath(id), { method: 'PATCH', body: JSON.stringify(body) })

export const deleteModel = (id: string) => apiSend<void>('DELETE', modelPath(id))

/** The download address of a model in one format (the server answers 4xx with words when the format cannot express it). */
export const modelExportUrl = (id: string, format: ModelExportFormat) => `${modelPath(id)}/export?format=${format}`

/** `POST /api/models/import`: a portable .json or the studio's .npz, as one of the user's models. */
export function importModel(file: File, name?: string) {
  const form = new FormData()
  form.append('file', file, file.name)
  if (name?.trim()) form.append('name', name.trim())
  return apiFetch<SavedModel>('/api/models/import', { method: 'POST', body: form })
}
