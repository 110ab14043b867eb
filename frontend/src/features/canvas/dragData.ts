// The payload carried by an HTML5 drag from the palette onto the canvas: a module, a saved dataset or a
// saved model.

export const MODULE_DRAG_TYPE = 'application/x-cluster-studio-module'
export const DATASET_DRAG_TYPE = 'application/x-cluster-studio-dataset'
export const MODEL_DRAG_TYPE = 'application/x-cluster-studio-model'

export type DragPayload = { kind: 'module'; moduleId: string } | { kind: 'dataset'; datasetId: string } | { kind: 'model'; modelId: string }

export function setModuleDragData(dataTransfer: DataTransfer, moduleId: string): void {
  dataTransfer.setData(MODULE_DRAG_TYPE, moduleId)
  dataTransfer.setData('text/plain', moduleId)
  dataTransfer.effectAllowed = 'copy'
}

export function setDatasetDragData(dataTransfer: DataTransfer, datasetId: string): void {
  dataTransfer.setData(DATASET_DRAG_TYPE, datasetId)
  dataTransfer.setData('text/plain', datasetId)
  dataTransfer.effectAllowed = 'copy'
}

export function setModelDragData(dataTransfer: DataTransfer, modelId: string): void {
  dataTransfer.setData(MODEL_DRAG_TYPE, modelId)
  dataTransfer.setData('text/plain', modelId)
  dataTransfer.effectAllowed = 'copy'
}

export function getDragPayload(dataTransfer: DataTransfer): DragPayload | null {
  const moduleId = dataTransfer.getData(MODULE_DRAG_TYPE)
  if (moduleId) return { kind: 'module', moduleId }
  const datasetId = dataTransfer.getData(DATASET_DRAG_TYPE)
  if (datasetId) return { kind: 'dataset', datasetId }
  const modelId = dataTransfer.getData(MODEL_DRAG_TYPE)
  if (modelId) return { kind: 'model', modelId }
  return null
}

export function hasPaletteDragData(dataTransfer: DataTransfer): boolean {
  const types = Array.from(dataTransfer.types)
  return types.includes(MODULE_DRAG_TYPE) || types.includes(DATASET_DRAG_TYPE) || types.includes(MODEL_DRAG_TYPE)
}

export function hasFiles(dataTransfer: DataTransfer | null): boolean {
  return !!dataTransfer && Array.from(dataTransfer.types).includes('Files')
}
