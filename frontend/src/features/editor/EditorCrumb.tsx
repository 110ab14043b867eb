import { SharedNote } from '../sharing/SharedBanners'
import { ExperimentName } from './ExperimentName'
import type { ExperimentMeta, LoadState, SaveState } from './useExperiment'

/** The header's crumb: the experiment's name (renamed in place), whether it is saved, whose it is. */
export function EditorCrumb({
  loadState,
  meta,
  dirty,
  saveState,
  readOnly,
  onRename,
}: {
  loadState: LoadState
  meta: ExperimentMeta
  dirty: boolean
  saveState: SaveState
  readOnly: boolean
  onRename: (name: string) => Promise<boolean>
}) {
  if (loadState !== 'ready') return <span className="experiment-name is-loading">Loading…</span>
  const label = saveState === 'saving' ? 'Saving…' : saveState === 'error' && dirty ? 'Not saved' : dirty ? 'Unsaved changes' : 'Saved'
  const tone = saveState === 'saving' ? 'saving' : dirty ? (saveState === 'error' ? 'error' : 'dirty') : 'saved'
  return (
    <>
      <ExperimentName name={meta.name} onRename={onRename} disabled={readOnly || meta.role !== 'owner'} />
      <span className={`save-indicator is-${tone}`} data-testid="save-state" role="status">
        <span className="save-indicator-dot" aria-hidden="true" />
        {label}
      </span>
      {meta.role === 'editor' && meta.owner ? <SharedNote owner={meta.owner.username} role="editor" /> : null}
    </>
  )
}
