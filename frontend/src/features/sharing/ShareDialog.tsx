import { useId, useState } from 'react'
import type { User } from '../../api/types'
import { Dialog } from '../../ui/Dialog'
import { Icon } from '../../ui/icons'
import { LinkSection } from './ShareLinkSection'
import { PeopleSection } from './SharePeople'
import { PublishSection } from './SharePublish'
import './sharing.css'

export interface ShareDialogProps {
  experimentId: number
  experimentName: string
  owner: User
  onClose: () => void
  /** Which tab opens first. */
  initialTab?: 'people' | 'publish'
}

/** The Share dialog of the editor (owner only): people, the read-only link, publishing to the gallery. */
export function ShareDialog({ experimentId, experimentName, owner, onClose, initialTab = 'people' }: ShareDialogProps) {
  const [tab, setTab] = useState<'people' | 'publish'>(initialTab)
  const tabsId = useId()
  return (
    <Dialog
      title={
        <span className="share-dialog-title">
          <Icon name="share" size={15} />
          Share “{experimentName}”
        </span>
      }
      ariaLabel="Share"
      size="large"
      className="share-dialog"
      onClose={onClose}
      footer={
        <button type="button" className="btn" onClick={onClose}>
          Done
        </button>
      }
    >
      <div className="share-tabs segmented" role="tablist" aria-label="Sharing">
        <button type="button" role="tab" id={`${tabsId}-people`} aria-selected={tab === 'people'} aria-controls={`${tabsId}-people-panel`} onClick={() => setTab('people')}>
          <Icon name="user" size={13} /> People &amp; link
        </button>
        <button type="button" role="tab" id={`${tabsId}-publish`} aria-selected={tab === 'publish'} aria-controls={`${tabsId}-publish-panel`} onClick={() => setTab('publish')}>
          <Icon name="globe" size={13} /> Publish to gallery
        </button>
      </div>
      {tab === 'people' ? (
        <div role="tabpanel" id={`${tabsId}-people-panel`} aria-labelledby={`${tabsId}-people`} className="share-panel">
          <PeopleSection experimentId={experimentId} owner={owner} />
          <LinkSection experimentId={experimentId} />
        </div>
      ) : (
        <div role="tabpanel" id={`${tabsId}-publish-panel`} aria-labelledby={`${tabsId}-publish`} className="share-panel">
          <PublishSection experimentId={experimentId} experimentName={experimentName} />
        </div>
      )}
    </Dialog>
  )
}
