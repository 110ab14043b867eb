// Web services (a saved model behind a scoring URL and two keys): the shapes of /api/services (named from
// the generated ./openapi.gen.ts) and the calls to it.

import { ApiError, apiFetch, apiGet, apiSend, describeDetail } from './client'
import type { components } from './openapi.gen'
import type { ListOf } from './types'

type Schemas = components['schemas']

export type KeyName = 'primary' | 'secondary'

/** An input column of a service and the type its cells must have (number, string, boolean, datetime). */
export type ServiceInputColumn = Schemas['ServiceColumn']

export type Service = Schemas['ServicePublic']

/** A service as created (both keys in full) or after a key was regenerated (that key in full, the other
 * null): the only answers that carry keys. */
export type ServiceWithKeys = Schemas['ServiceWithKeys']

export type BatchJob = Schemas['BatchJobPublic']

export type UsageHour = Schemas['ServiceUsageHour']

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
