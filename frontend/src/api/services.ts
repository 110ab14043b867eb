// Web services (a saved model behind a scoring URL and two keys): the shapes of /api/services and the
// calls to it. Written by hand from the issue 11 contract while the server's schemas are being built; to
// become aliases of the generated ./openapi.gen.ts once they are.

import { ApiError, apiFetch, apiGet, apiSend, describeDetail } from './client'
import type { ListOf } from './types'

export type KeyName = 'primary' | 'secondary'

export interface ServiceInputColumn {
  name: string
  /** The type a value must have: numeric, boolean, datetime, string… */
  type: string
}

export interface Service {
  id: string
  name: string
  model_id: string
  model_name: string
  /** Whether answers carry the input columns before the assignments. */
  append: boolean
  /** A disabled service answers 403 to scoring. */
  enabled: boolean
  score_url: string
  batch_url: string
  /** The first characters of each key, to tell them apart (the keys themselves are never shown again). */
  primary_key_hint: string
  secondary_key_hint: string
  created_at: string
  input_columns: ServiceInputColumn[]
  output_columns: string[]
}

/** A service as created or after a key was regenerated: the new key(s) in full, this once. */
export type ServiceWithKeys = Partial<Service> &
  Pick<Service, 'id' | 'name' | 'score_url' | 'enabled'> & {
    primary_key: string | null
    secondary_key: string | null
  }

export interface BatchJob {
  id: string
  /** queued, running, succeeded, failed… (the run executor's statuses). */
  status: string
  /** 0…1 */
  progress: number
  source?: 'upload' | 'dataset' | 'sample'
  /** The uploaded file's name, or the dataset's id. */
  input_name?: string
  /** Who started it: a program with a key, or the owner on this page. */
  submitted_by?: 'key' | 'owner'
  /** Rows in the result, once the job succeeded. */
  n_rows?: number | null
  error?: { code?: string; message?: string } | null
  /** Where the result is once the job succeeded (CSV; Parquet with `?format=parquet`). */
  result_url?: string | null
  created_at?: string
  started_at?: string | null
  finished_at?: string | null
}

export interface UsageHour {
  /** The start of the hour (UTC). */
  hour: string
  requests: number
  rows: number
  errors: number
  p50_ms: number | null
  p95_ms: number | null
}

const servicePath = (id: string) => `/api/services/${encodeURIComponent(id)}`

export const listServices = (signal?: AbortSignal) => apiGet<ListOf<Service>>('/api/services', signal)

export const getService = (id: string, signal?: AbortSignal) => apiGet<Service>(servicePath(id), signal)

export const createService = (body: { model_id: string; name: string; append: boolean }) =>
  apiSend<ServiceWithKeys>('POST', '/api/services', body)

export const updateService = (id: string, body: { name?: string; enabled?: boolean; append?: boolean }) =>
  apiFetch<Service>(servicePath(id), { method: 'PATCH', body: JSON.stringify(body) })

export const deleteService = (id: string) => apiSend<void>('DELETE', servicePath(id))

/** A new key in place of the old one, which stops working at once. */
export const regenerateKey = (id: string, which: KeyName) => apiSend<ServiceWithKeys>('POST', `${servicePath(id)}/keys/${which}`)

export const listBatchJobs = (id: string, signal?: AbortSignal) => apiGet<ListOf<BatchJob>>(`${servicePath(id)}/batch`, signal)

/** Scores an uploaded CSV/Parquet file on the run executor (the owner's session is enough). */
export function startBatchJob(id: string, file: File) {
  const form = new FormData()
  form.append('file', file, file.name)
  return apiFetch<BatchJob>(`${servicePath(id)}/batch`, { method: 'POST', body: form })
}

/** A batch job's result: CSV, or Parquet. */
export const batchResultUrl = (id: string, jobId: string, format: 'csv' | 'parquet' = 'csv') =>
  `${servicePath(id)}/batch/${encodeURIComponent(jobId)}/result${format === 'parquet' ? '?format=parquet' : ''}`

export const getUsage = (id: string, signal?: AbortSignal) => apiGet<ListOf<UsageHour>>(`${servicePath(id)}/usage`, signal)

/**
 * `POST …/score` with a service key, the way any client calls it (no session cookie, so what works here
 * works from the sample code). The body is sent as given; the answer is returned as parsed JSON.
 */
export async function scoreWithKey(scoreUrl: string, key: string, body: unknown): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(scoreUrl, {
      method: 'POST',
      credentials: 'omit',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'The service could not be reached.')
  }
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    /* not JSON: kept as text */
  }
  if (!response.ok) {
    const detail = (parsed as { detail?: unknown } | undefined)?.detail ?? parsed
    throw new ApiError(response.status, `${response.status}: ${describeDetail(detail, response.statusText || 'the request failed')}`, detail)
  }
  return parsed
}
