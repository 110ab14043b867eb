// The payload carried by an HTML5 drag from the palette onto the canvas.

export const MODULE_DRAG_TYPE = 'application/x-cluster-studio-module'

export function setModuleDragData(dataTransfer: DataTransfer, moduleId: string): void {
  dataTransfer.setData(MODULE_DRAG_TYPE, moduleId)
  dataTransfer.setData('text/plain', moduleId)
  dataTransfer.effectAllowed = 'copy'
}

export function getModuleDragData(dataTransfer: DataTransfer): string | null {
  const id = dataTransfer.getData(MODULE_DRAG_TYPE)
  return id || null
}

export function hasModuleDragData(dataTransfer: DataTransfer): boolean {
  return Array.from(dataTransfer.types).includes(MODULE_DRAG_TYPE)
}
