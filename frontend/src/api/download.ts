import { ApiError, describeDetail } from './client'

/** The file name the server gives (`Content-Disposition`), if it gives one. */
export function fileNameFromDisposition(header: string | null): string | null {
  if (!header) return null
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1].trim())
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header)
  return plain ? plain[1].trim() : null
}

/**
 * Downloads a file the server makes. Fetched first (not a plain link) so that when the server refuses,
 * its words are shown instead of a saved error file. Returns the file's name.
 */
export async function downloadFromServer(url: string, fallbackName: string, failed = 'The export failed'): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, { credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'The server could not be reached.')
  }
  if (!response.ok) {
    const text = await response.text()
    let detail: unknown = text
    try {
      detail = (JSON.parse(text) as { detail?: unknown }).detail
    } catch {
      /* plain text */
    }
    throw new ApiError(response.status, describeDetail(detail, `${failed} (${response.status}).`), detail)
  }
  const name = fileNameFromDisposition(response.headers.get('Content-Disposition')) ?? fallbackName
  saveBlob(await response.blob(), name)
  return name
}

/** Hands a file to the browser's downloads under `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const objectUrl = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = objectUrl
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked after the click has handed the file to the browser.
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000)
}
