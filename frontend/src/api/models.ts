// Saved (trained) models: the shapes of /api/models and the calls to it.
// Written by hand from the issue 11 contract while the server's schemas are being built; to become
// aliases of the generated ./openapi.gen.ts (`components['schemas']['SavedModelPublic']`, …) once they are.

import { apiFetch, apiGet, apiSend } from './client'
import type { ListOf } from './types'

/** One input column of a model, and how it becomes numbers (modules/features.py FeatureColumn). */
export interface ModelFeatureColumn {
  name: string
  /** numeric, boolean, datetime or onehot. */
  kind: string
  /** A onehot column's categories, in feature order. */
  categories?: string[]
}

/** Where a saved model was trained (null for an imported one). */
export interface ModelSource {
  experiment_id: number
  run_id: number
  node_id: string
}

export interface SavedModel {
  id: string
  name: string
  description: string
  algorithm: string
  algorithm_name: string
  k: number
  feature_columns: ModelFeatureColumn[]
  metric: string | null
  normalize: boolean
  created_at: string
  source: ModelSource | null
  owner: { id: number; username: string }
  /** False for a model the user reads through an experiment shared with them. */
  owned: boolean
  size_bytes: number
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
