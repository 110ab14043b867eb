// A thin fetch wrapper for the JSON API under /api. Every request sends the session cookie.

export class ApiError extends Error {
  readonly status: number
  readonly detail: unknown
  /** Seconds to wait before trying again (the `Retry-After` of a 429), when the server said. */
  readonly retryAfter: number | null

  constructor(status: number, message: string, detail?: unknown, retryAfter: number | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.retryAfter = retryAfter
  }
}

/** `Retry-After` in seconds (the server sends seconds, never a date). */
export function parseRetryAfter(value: string | null): number | null {
  if (!value || !/^\d+$/.test(value.trim())) return null
  return Number(value.trim())
}

/** True when the error says the server is reachable but the endpoint does not exist (yet). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401
}

export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409
}

/** A readable message for any error thrown by the API helpers. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** What a form says when sending it failed: the server's message, or that the server was not reached. */
export function submitErrorMessage(error: unknown): string {
  return error instanceof ApiError && error.status === 0 ? 'The server could not be reached. Try again.' : errorMessage(error)
}

type UnauthorizedListener = (path: string) => void
let unauthorizedListener: UnauthorizedListener | null = null

/**
 * Called whenever an API request answers 401 (the session expired or was never there), except for
 * the sign-in endpoints themselves. The app uses it to send the user to the sign-in page.
 */
export function setUnauthorizedListener(listener: UnauthorizedListener | null): void {
  unauthorizedListener = listener
}

const AUTH_PATHS = ['/api/auth/login', '/api/auth/register', '/api/auth/me']

export function notifyUnauthorized(path: string): void {
  if (!AUTH_PATHS.some((prefix) => path.startsWith(prefix))) unauthorizedListener?.(path)
}

export function describeDetail(detail: unknown, fallback: string): string {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0] as { msg?: unknown; loc?: unknown }
    if (typeof first?.msg === 'string') {
      const field = Array.isArray(first.loc) ? first.loc[first.loc.length - 1] : undefined
      return typeof field === 'string' && field !== 'body' ? `${field}: ${first.msg}` : first.msg
    }
  }
  if (detail && typeof detail === 'object') {
    const message = (detail as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  return fallback
}

export async function apiFetch<T>(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<T> {
  const headers = new Headers(init.headers)
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  if (init.body !== undefined && !(init.body instanceof FormData) && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json')
  }
  let response: Response
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init, headers, signal })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'The server could not be reached.')
  }
  const text = await response.text()
  let body: unknown = undefined
  if (text) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  if (!response.ok) {
    if (response.status === 401) notifyUnauthorized(path)
    const detail = (body as { detail?: unknown } | undefined)?.detail
    throw new ApiError(
      response.status,
      describeDetail(detail, `${response.status} ${response.statusText}`.trim()),
      detail,
      parseRetryAfter(response.headers.get('Retry-After')),
    )
  }
  return body as T
}

export function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return apiFetch<T>(path, { method: 'GET' }, signal)
}

export function apiSend<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return apiFetch<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) })
}

export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  let response: Response
  try {
    response = await fetch(path, { credentials: 'same-origin', signal })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'The server could not be reached.')
  }
  const text = await response.text()
  if (!response.ok) {
    if (response.status === 401) notifyUnauthorized(path)
    let detail: unknown = text
    try {
      detail = (JSON.parse(text) as { detail?: unknown }).detail
    } catch {
      /* plain text */
    }
    throw new ApiError(response.status, describeDetail(detail, `${response.status}`), detail)
  }
  return text
}
