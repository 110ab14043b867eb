import { ApiError, describeDetail } from '../../api/client'
import { modelExportUrl, type ModelExportFormat, type SavedModel } from '../../api/models'

export const EXPORT_FORMATS: { format: ModelExportFormat; label: string; hint: string }[] = [
  { format: 'onnx', label: 'ONNX', hint: '.onnx' },
  { format: 'pmml', label: 'PMML 4.4', hint: '.pmml' },
  { format: 'json', label: 'Portable JSON', hint: '.json' },
]

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

/** A file name made of the model's name: letters, digits, dashes and underscores. */
export function modelFileName(model: SavedModel, format: ModelExportFormat): string {
  const base = model.name.trim().replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'model'
  return `${base}.${format}`
}

/**
 * Downloads a model in one format. Fetched first (not a plain link) so that when the format cannot
 * express the model the server's words are shown instead of a saved error file.
 */
export async function downloadModelExport(model: SavedModel, format: ModelExportFormat): Promise<string> {
  let response: Response
  try {
    response = await fetch(modelExportUrl(model.id, format), { credentials: 'same-origin' })
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
    throw new ApiError(response.status, describeDetail(detail, `The export failed (${response.status}).`), detail)
  }
  const blob = await response.blob()
  const name = fileNameFromDisposition(response.headers.get('Content-Disposition')) ?? modelFileName(model, format)
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked after the click has handed the file to the browser.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}
