import { Icon, Spinner } from '../../ui/icons'
import { Menu } from '../../ui/Menu'
import type { ScriptFormat } from '../../api/endpoints'
import { DisabledReason } from '../sharing/SharedBanners'
import { SCRIPT_FORMATS } from './useScriptExport'

export interface EditorToolbarProps {
  /** Why the draft cannot be changed (a viewer, a viewed past run), or null. */
  readOnlyWhy: string | null
  readOnly: boolean
  /** The experiment is loaded. */
  loaded: boolean
  hasNodes: boolean
  canUndo: boolean
  canRedo: boolean
  saving: boolean
  running: boolean
  canShare: boolean
  canCancel: boolean
  /** "Run selected" is offered (modules are selected on the draft, no run is going on). */
  offerRunSelected: boolean
  onUndo: () => void
  onRedo: () => void
  onAutoLayout: () => void
  onExport: () => void
  /** Download the saved experiment as a script or notebook. */
  onExportScript: (format: ScriptFormat) => void
  onImport: () => void
  onFitView: () => void
  onSelectAll: () => void
  onShowRuns: () => void
  onShare: () => void
  onSave: () => void
  onRunSelected: () => void
  onCancel: () => void
  onRun: () => void
}

/** The editor's header actions: undo, redo, auto-layout and the menu; share, save, run and cancel. */
export function EditorToolbar(props: EditorToolbarProps) {
  const { readOnlyWhy, readOnly, loaded, hasNodes, saving, running } = props
  return (
    <>
      <div className="toolbar-group" role="group" aria-label="Edit">
        <button type="button" className="icon-btn toolbar-btn" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={readOnly || !props.canUndo} onClick={props.onUndo}>
          <Icon name="undo" size={15} />
        </button>
        <button type="button" className="icon-btn toolbar-btn" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={readOnly || !props.canRedo} onClick={props.onRedo}>
          <Icon name="redo" size={15} />
        </button>
        <button type="button" className="icon-btn toolbar-btn" aria-label="Auto-layout" title="Auto-layout: arrange the modules top to bottom" disabled={readOnly || !hasNodes} onClick={props.onAutoLayout}>
          <Icon name="layout" size={15} />
        </button>
        <Menu
          label="More actions"
          triggerClassName="icon-btn toolbar-btn"
          trigger={<Icon name="more" size={15} />}
          items={[
            { label: 'Export graph as JSON', icon: <Icon name="download" />, onSelect: props.onExport, disabled: !loaded },
            { label: 'Import graph from JSON…', icon: <Icon name="upload" />, onSelect: props.onImport, disabled: readOnly },
            ...SCRIPT_FORMATS.map(({ format, label, hint }) => ({
              label,
              hint,
              icon: <Icon name="download" />,
              onSelect: () => props.onExportScript(format),
              disabled: !loaded,
            })),
            'separator',
            { label: 'Fit view', icon: <Icon name="eye" />, onSelect: props.onFitView },
            { label: 'Select all', hint: 'Ctrl+A', onSelect: props.onSelectAll, disabled: readOnly },
            'separator',
            { label: 'Run history', icon: <Icon name="history" />, onSelect: props.onShowRuns },
          ]}
        />
      </div>
      <span className="toolbar-divider" aria-hidden="true" />
      {props.canShare ? (
        <button type="button" className="btn" onClick={props.onShare} title="Share with people, turn on a read-only link, publish to the gallery">
          <Icon name="share" />
          Share
        </button>
      ) : null}
      <DisabledReason reason={readOnlyWhy}>
        <button type="button" className="btn" onClick={props.onSave} disabled={readOnly || saving || !loaded} title={readOnlyWhy ?? 'Save (Ctrl+S)'}>
          {saving ? <Spinner size={12} /> : <Icon name="save" />}
          Save
        </button>
      </DisabledReason>
      {props.offerRunSelected ? (
        <DisabledReason reason={readOnlyWhy}>
          <button type="button" className="btn" onClick={props.onRunSelected} disabled={readOnly || !loaded} title={readOnlyWhy ?? 'Run the selected modules and what they need'}>
            <Icon name="run-selected" />
            Run selected
          </button>
        </DisabledReason>
      ) : null}
      {props.canCancel ? (
        <button type="button" className="btn btn-danger-outline" onClick={props.onCancel}>
          <Icon name="stop" />
          Cancel run
        </button>
      ) : null}
      <DisabledReason reason={readOnlyWhy}>
        <button type="button" className="btn btn-primary" onClick={props.onRun} disabled={readOnly || running || !loaded || !hasNodes} title={readOnlyWhy ?? (running ? 'A run is going on' : 'Save and run the experiment')}>
          {running ? <Spinner size={12} /> : <Icon name="run" />}
          Run
        </button>
      </DisabledReason>
    </>
  )
}
