import { ApiError, describeDetail, notifyUnauthorized } from './client'
import type { Dataset } from './types'

export interface UploadHandle {
  promise: Promise<Dataset>
  abort: () => void
}

/**
 * Uploads a file to `POST /api/datasets` with XMLHttpRequest, which (unlike fetch) reports upload
 * progress. `onProgress` receives 0…1 while the bytes go up; the server then parses the file.
 */
export function uploadDataset(file: File, onProgress: (fraction: number) => void, name?: string): UploadHandle {
  const xhr = new XMLHttpRequest()
  const promise = new Promise<Dataset>((resolve, reject) => {
    xhr.open('POST', '/api/datasets')
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    xhr.upload.onload = () => onProgress(1)
    xhr.onload = () => {
      let body: unknown
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
      } catch {
        body = xhr.responseText
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as Dataset)
        return
      }
      if (xhr.status === 401) notifyUnauthorized('/api/datasets')
      const detail = (body as { detail?: unknown } | undefined)?.detail
      let message = describeDetail(detail, `Upload failed (${xhr.status})`)
      const code = (detail as { code?: unknown } | undefined)?.code
      if (typeof code === 'string') message = `${code}: ${message}`
      reject(new ApiError(xhr.status, message, detail))
    }
    xhr.onerror = () => reject(new ApiError(0, 'The server could not be reached.'))
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'))
    const form = new FormData()
    form.append('file', file, file.name)
    if (name) form.append('name', name)
    xhr.send(form)
  })
  return { promise, abort: () => xhr.abort() }
}
