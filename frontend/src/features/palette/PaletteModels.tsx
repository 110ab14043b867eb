import type { ReactNode } from 'react'
import type { SavedModel } from '../../api/models'
import type { Resource } from '../../api/useApiResource'
import { setModelDragData } from '../canvas/dragData'
import { ModuleIcon } from './ModuleIcon'
import { Grip } from './PaletteParts'
import { modelSummary } from './sourceModules'

/** Whether a saved model matches every word of the palette's search (name, description, algorithm, columns). */
export function matchesModel(model: SavedModel, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const columns = model.feature_columns.map((c) => c.name).join(' ')
  const haystack = `${model.name} ${model.description ?? ''} ${model.algorithm_name} ${columns} trained model`.toLowerCase()
  return words.every((word) => haystack.includes(word))
}

function modelTooltip(model: SavedModel): string {
  const lines = [model.name, modelSummary(model), `Columns: ${model.feature_columns.map((c) => c.name).join(', ')}`]
  if (!model.owned) lines.push(`Shared by ${model.owner.username}`)
  if (model.description) lines.push(model.description)
  return lines.join('\n')
}

/**
 * The saved models under the palette's Trained Models section: the user's, then those of experiments
 * shared with them. Each drags onto the canvas (or is added with a double-click or Enter) as a node that
 * loads it.
 */
export function PaletteModelGroups({
  models,
  query,
  isOpen,
  groupHeader,
  onAddModel,
  disabled,
}: {
  models: Resource<SavedModel[]>
  query: string
  /** Whether the group under `key` is open (searching opens every group). */
  isOpen: (key: string) => boolean
  groupHeader: (key: string, label: string, count: number, open: boolean) => ReactNode
  onAddModel?: (model: SavedModel) => void
  disabled: boolean
}) {
  const searching = query.trim().length > 0
  const all = models.state === 'ready' && Array.isArray(models.data) ? models.data : []
  const shown = searching ? all.filter((m) => matchesModel(m, query)) : all
  const mine = shown.filter((m) => m.owned)
  const shared = shown.filter((m) => !m.owned)

  const item = (model: SavedModel) => (
    <li
      key={model.id}
      className="palette-item tone-model palette-dataset palette-model"
      data-testid={`palette-model-${model.name}`}
      draggable={!disabled}
      tabIndex={0}
      title={modelTooltip(model)}
      onDragStart={(event) => {
        if (disabled) return event.preventDefault()
        setModelDragData(event.dataTransfer, model.id)
      }}
      onDoubleClick={() => !disabled && onAddModel?.(model)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && !disabled) onAddModel?.(model)
      }}
    >
      <ModuleIcon tone="model" />
      <span className="palette-item-text">
        <span className="palette-item-name">{model.name}</span>
        <span className="palette-item-meta">{modelSummary(model)}</span>
      </span>
      <Grip />
    </li>
  )

  const mineKey = 'Trained Models / My models'
  const sharedKey = 'Trained Models / Shared with me'
  const mineOpen = isOpen(mineKey)
  const sharedOpen = isOpen(sharedKey)
  return (
    <>
      {!searching || mine.length > 0 ? (
        <div className="palette-group" data-category={mineKey}>
          {groupHeader(mineKey, 'My models', mine.length, mineOpen)}
          {mineOpen ? (
            <ul className="palette-list" role="list">
              {mine.map(item)}
              {models.state === 'loading' ? <li className="palette-empty-hint">Loading trained models…</li> : null}
              {models.state === 'error' ? <li className="palette-empty-hint">Trained models could not be loaded.</li> : null}
              {models.state === 'ready' && mine.length === 0 ? (
                <li className="palette-empty-hint">Run a Train or Sweep module, open its trained model and choose “Save as trained model”.</li>
              ) : null}
            </ul>
          ) : null}
        </div>
      ) : null}
      {shared.length > 0 ? (
        <div className="palette-group" data-category={sharedKey}>
          {groupHeader(sharedKey, 'Shared with me', shared.length, sharedOpen)}
          {sharedOpen ? (
            <ul className="palette-list" role="list">
              {shared.map(item)}
            </ul>
          ) : null}
        </div>
      ) : null}
    </>
  )
}
