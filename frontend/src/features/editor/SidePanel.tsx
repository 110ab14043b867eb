import type { ReactNode } from 'react'

export type SidePanelTab = 'properties' | 'runs'

/** The editor's right-hand panel: the selection's properties, or the run history. */
export function SidePanel({ tab, onTab, children }: { tab: SidePanelTab; onTab: (tab: SidePanelTab) => void; children: ReactNode }) {
  return (
    <aside className="panel properties" aria-label="Properties">
      <div className="panel-header panel-tabs" role="tablist" aria-label="Side panel">
        <button type="button" role="tab" className="panel-tab" aria-selected={tab === 'properties'} onClick={() => onTab('properties')}>
          Properties
        </button>
        <button type="button" role="tab" className="panel-tab" aria-selected={tab === 'runs'} onClick={() => onTab('runs')}>
          Runs
        </button>
      </div>
      <div className="properties-body" role="tabpanel">
        {children}
      </div>
    </aside>
  )
}
