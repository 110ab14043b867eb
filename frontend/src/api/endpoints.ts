import { apiFetch, apiGet, apiSend, apiText } from './client'
import type {
  Dataset,
  Experiment,
  GalleryEntry,
  ExperimentVersion,
  Graph,
  Health,
  ListOf,
  ModuleSpec,
  PublicExperiment,
  Run,
  Share,
  ShareLink,
  ShareRole,
  User,
  ValidationResult,
} from './types'

export const getHealth = (signal?: AbortSignal) => apiGet<Health>('/api/health', signal)

// ---- accounts
export const getMe = (signal?: AbortSignal) => apiGet<User>('/api/auth/me', signal)
export const register = (username: string, password: string) =>
  apiSend<User>('POST', '/api/auth/register', { username, password })
export const login = (username: string, password: string) =>
  apiSend<{ access_token: string; user: User }>('POST', '/api/auth/login', { username, password })
export const logout = () => apiSend<void>('POST', '/api/auth/logout')
/** Every session of the user ends, this one included. */
export const logoutAll = () => apiSend<void>('POST', '/api/auth/logout-all')
/** Every other session of the user ends; this one goes on. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  apiSend<void>('POST', '/api/auth/password', { current_password: currentPassword, new_password: newPassword })

// ---- modules & datasets
export const getModules = (signal?: AbortSignal) => apiGet<ModuleSpec[]>('/api/modules', signal)
export const getDatasets = (signal?: AbortSignal) => apiGet<Dataset[]>('/api/datasets', signal)
export const getDataset = (id: string, signal?: AbortSignal) =>
  apiGet<Dataset>(`/api/datasets/${encodeURIComponent(id)}`, signal)
export const deleteDataset = (id: string) => apiSend<void>('DELETE', `/api/datasets/${encodeURIComponent(id)}`)

// ---- experiments
export const listExperiments = (signal?: AbortSignal) => apiGet<ListOf<Experiment>>('/api/experiments', signal)
export const getExperiment = (id: number, signal?: AbortSignal) => apiGet<Experiment>(`/api/experiments/${id}`, signal)
export const createExperiment = (name: string, graph: Graph = { nodes: [], edges: [] }, description = '') =>
  apiSend<Experiment>('POST', '/api/experiments', { name, description, graph })
export const updateExperiment = (
  id: number,
  body: { version: number; name?: string; description?: string; graph?: Graph },
) => apiSend<Experiment>('PUT', `/api/experiments/${id}`, body)
export const deleteExperiment = (id: number) => apiSend<void>('DELETE', `/api/experiments/${id}`)
export const cloneExperiment = (id: number, name?: string) =>
  apiSend<Experiment>('POST', `/api/experiments/${id}/clone`, name ? { name } : {})
/** The experiment's saved version as a script that runs it outside the studio (`py`) or a notebook. */
export type ScriptFormat = 'py' | 'ipynb'
/** The experiment as a script; with a run, the version it ran with the seeds it drew (it repeats that run). */
export const experimentExportUrl = (id: number, format: ScriptFormat, runId: number | null = null) =>
  `/api/experiments/${id}/export?format=${format}${runId === null ? '' : `&run=${runId}`}`
export const getVersion = (id: number, version: number, signal?: AbortSignal) =>
  apiGet<ExperimentVersion>(`/api/experiments/${id}/versions/${version}`, signal)
export const validateGraph = (graph: Graph, signal?: AbortSignal) =>
  apiFetch<ValidationResult>('/api/graphs/validate', { method: 'POST', body: JSON.stringify({ graph }) }, signal)

// ---- runs
export const startRun = (experimentId: number, nodes?: string[]) =>
  apiSend<Run>('POST', `/api/experiments/${experimentId}/runs`, nodes ? { nodes } : {})
export const getRun = (runId: number, signal?: AbortSignal) => apiGet<Run>(`/api/runs/${runId}`, signal)
export const listRuns = (experimentId: number, signal?: AbortSignal) =>
  apiGet<Run[]>(`/api/experiments/${experimentId}/runs`, signal)
export const cancelRun = (runId: number) => apiSend<Run>('POST', `/api/runs/${runId}/cancel`)
export const getNodeLog = (runId: number, nodeId: string, signal?: AbortSignal) =>
  apiText(`/api/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/log`, signal)
export const runEventsUrl = (runId: number) => `/api/runs/${runId}/events`

// ---- sharing (owner only), the read-only link, publishing
export const listShares = (id: number, signal?: AbortSignal) => apiGet<Share[]>(`/api/experiments/${id}/shares`, signal)
export const addShare = (id: number, username: string, role: ShareRole) =>
  apiSend<Share>('POST', `/api/experiments/${id}/shares`, { username, role })
export const removeShare = (id: number, userId: number) => apiSend<void>('DELETE', `/api/experiments/${id}/shares/${userId}`)
/** The read-only link, or null when there is none (does not create one). */
export const getLink = (id: number, signal?: AbortSignal) => apiGet<ShareLink | null>(`/api/experiments/${id}/link`, signal)
export const createLink = (id: number) => apiSend<ShareLink>('POST', `/api/experiments/${id}/link`)
export const deleteLink = (id: number) => apiSend<void>('DELETE', `/api/experiments/${id}/link`)
/** The experiment's gallery entry, or null when it is not published. */
export const getPublication = (id: number, signal?: AbortSignal) =>
  apiGet<GalleryEntry | null>(`/api/experiments/${id}/publish`, signal)
export const publishExperiment = (id: number, body: { title: string; summary_markdown: string; tags: string[] }) =>
  apiSend<GalleryEntry>('POST', `/api/experiments/${id}/publish`, body)
export const unpublishExperiment = (id: number) => apiSend<void>('DELETE', `/api/experiments/${id}/publish`)

// ---- what anyone can see (no sign-in): the gallery and read-only links
export function getGallery(query: { q?: string; tag?: string } = {}, signal?: AbortSignal) {
  const params = new URLSearchParams()
  if (query.q?.trim()) params.set('q', query.q.trim())
  if (query.tag) params.set('tag', query.tag)
  const search = params.toString()
  return apiGet<ListOf<GalleryEntry>>(`/api/gallery${search ? `?${search}` : ''}`, signal)
}
export const getGalleryEntry = (id: number, signal?: AbortSignal) => apiGet<PublicExperiment>(`/api/gallery/${id}`, signal)
export const openFromGallery = (id: number) => apiSend<Experiment>('POST', `/api/gallery/${id}/open`)
export const publicApiBase = (token: string) => `/api/public/${encodeURIComponent(token)}`
export const galleryApiBase = (experimentId: number) => `/api/gallery/${experimentId}`
export const getPublicExperiment = (token: string, signal?: AbortSignal) => apiGet<PublicExperiment>(publicApiBase(token), signal)
export const openFromLink = (token: string) => apiSend<Experiment>('POST', `${publicApiBase(token)}/open`)
