import { useState } from 'react'
import { regenerateKey, type KeyName, type Service, type ServiceWithKeys } from '../../api/services'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { CopyButton } from '../../ui/CopyButton'
import { Icon } from '../../ui/icons'
import type { ShownKeys } from './shownKeys'

const KEY_LABEL: Record<KeyName, string> = { primary: 'Primary key', secondary: 'Secondary key' }
const OTHER: Record<KeyName, KeyName> = { primary: 'secondary', secondary: 'primary' }

function KeyRow({ which, hint, full, onRegenerate }: { which: KeyName; hint: string; full: string | null; onRegenerate: () => void }) {
  return (
    <div className={`service-key${full ? ' is-shown' : ''}`} data-testid={`service-key-${which}`}>
      <span className="service-key-label">
        <Icon name="key" size={13} />
        {KEY_LABEL[which]}
      </span>
      {full ? (
        <input className="input service-key-value" readOnly value={full} aria-label={`${KEY_LABEL[which]} in full`} onFocus={(e) => e.currentTarget.select()} data-testid={`service-key-${which}-value`} />
      ) : (
        <span className="service-key-hint" title="Only the first characters are kept for display: the key itself is stored hashed">
          <code>{hint}</code>
          <span className="service-key-dots" aria-hidden="true">
            ••••••••••••••••••••
          </span>
        </span>
      )}
      {full ? <CopyButton text={full} what={KEY_LABEL[which].toLowerCase()} className="btn btn-small btn-primary" /> : null}
      <button type="button" className="btn btn-small" onClick={onRegenerate} aria-label={`Regenerate the ${KEY_LABEL[which].toLowerCase()}`}>
        <Icon name="restore" size={12} />
        Regenerate
      </button>
    </div>
  )
}

/**
 * The service's two keys: each works on its own, so programs can move to one while the other is
 * regenerated. Shown in full only right after they were made; otherwise their first characters.
 */
export function ServiceKeys({
  service,
  shown,
  onRegenerated,
  onHide,
}: {
  service: Service
  shown: ShownKeys | null
  onRegenerated: (which: KeyName, result: ServiceWithKeys) => void
  onHide: () => void
}) {
  const [confirming, setConfirming] = useState<KeyName | null>(null)
  return (
    <section className="service-card" aria-labelledby="service-keys-title">
      <div className="service-card-head">
        <h2 id="service-keys-title" className="service-card-title">
          Keys
        </h2>
        <p className="service-card-text">Send one with every request: <code>Authorization: Bearer &lt;key&gt;</code>. Either key works.</p>
      </div>
      {shown ? (
        <div className="service-keys-warning" role="alert">
          <Icon name="alert" size={15} />
          <div>
            <p className="service-keys-warning-title">Copy {shown.primary && shown.secondary ? 'these keys' : 'this key'} now: you will not see {shown.primary && shown.secondary ? 'them' : 'it'} again.</p>
            <p>The studio keeps only a hash. If a key is lost, regenerate it.</p>
          </div>
          <button type="button" className="btn btn-small" onClick={onHide}>
            I have copied {shown.primary && shown.secondary ? 'them' : 'it'}
          </button>
        </div>
      ) : null}
      <div className="service-keys">
        <KeyRow which="primary" hint={service.primary_key_hint} full={shown?.primary ?? null} onRegenerate={() => setConfirming('primary')} />
        <KeyRow which="secondary" hint={service.secondary_key_hint} full={shown?.secondary ?? null} onRegenerate={() => setConfirming('secondary')} />
      </div>
      {confirming ? (
        <ConfirmDialog
          title={`Regenerate the ${KEY_LABEL[confirming].toLowerCase()}?`}
          tone="warning"
          confirmLabel={`Regenerate ${confirming} key`}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            const result = await regenerateKey(service.id, confirming)
            setConfirming(null)
            onRegenerated(confirming, result)
          }}
        >
          <p>
            The current {confirming} key stops working at once: programs still sending it get <b>401</b>. The {OTHER[confirming]} key keeps working — move your programs to it
            first, then hand them the new {confirming} key.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}
