import { apiGet } from '../../api/client'
import type { OutputSummary, RowsPage, Visualization } from './types'

export interface OutputRef {
  runId: number
  nodeId: string
  port: string
  /** Where the run lives: "/api" (default), or "/api/public/<token>" for a read-only shared link. */
  apiBase?: string
}

export const DEFAULT_API_BASE = '/api'

/** `/api/runs/{run}/nodes/{node}/outputs/{port}` (path segments escaped). */
export function outputPath({ runId, nodeId, port, apiBase = DEFAULT_API_BASE }: OutputRef): string {
  return `${apiBase}/runs/${encodeURIComponent(String(runId))}/nodes/${encodeURIComponent(nodeId)}/outputs/${encodeURIComponent(port)}`
}

/** The standalone page of one output (deep link, "Open in new tab"). */
export function outputPageUrl({ runId, nodeId, port }: OutputRef): string {
  return `/runs/${encodeURIComponent(String(runId))}/nodes/${encodeURIComponent(nodeId)}/outputs/${encodeURIComponent(port)}`
}

export function downloadUrl(ref: OutputRef): string {
  return `${outputPath(ref)}/download?format=csv`
}

export function rowsUrl(ref: OutputRef, offset: number, limit: number): string {
  return `${outputPath(ref)}/rows?offset=${Math.max(0, Math.floor(offset))}&limit=${Math.max(1, Math.min(1000, Math.floor(limit)))}`
}

export function visualizationUrl(ref: OutputRef, allPoints = false): string {
  return `${outputPath(ref)}/visualization${allPoints ? '?all_points=true' : ''}`
}

export const getOutputSummary = (ref: OutputRef, signal?: AbortSignal) =>
  apiGet<OutputSummary>(outputPath(ref), signal)

export const getVisualization = (ref: OutputRef, allPoints = false, signal?: AbortSignal) =>
  apiGet<Visualization>(visualizationUrl(ref, allPoints), signal)

export const getRows = (ref: OutputRef, offset: number, limit: number, signal?: AbortSignal) =>
  apiGet<RowsPage>(rowsUrl(ref, offset, limit), signal)
