import { downloadFromServer } from '../../api/download'
import { modelExportUrl, type ModelExportFormat, type SavedModel } from '../../api/models'

export const EXPORT_FORMATS: { format: ModelExportFormat; label: string; hint: string }[] = [
  { format: 'onnx', label: 'ONNX', hint: '.onnx' },
  { format: 'pmml', label: 'PMML 4.4', hint: '.pmml' },
  { format: 'json', label: 'Portable JSON', hint: '.json' },
]

/** A file name made of the model's name: letters, digits, dashes and underscores. */
export function modelFileName(model: SavedModel, format: ModelExportFormat): string {
  const base = model.name.trim().replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'model'
  return `${base}.${format}`
}

/** Downloads a model in one format; the server's words when the format cannot express the model. */
export function downloadModelExport(model: SavedModel, format: ModelExportFormat): Promise<string> {
  return downloadFromServer(modelExportUrl(model.id, format), modelFileName(model, format))
}
