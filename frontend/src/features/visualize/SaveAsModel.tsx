import { useState } from 'react'
import { saveModel } from '../../api/models'
import { announceModelsChanged } from '../../app/apiResources'
import { useToast } from '../../ui/Toasts'
import type { OutputRef } from './api'
import { SaveOutputDialog } from './SaveOutputDialog'

/** "Save as trained model" for a trained model output: a name and a description, then a copy that outlives the run. */
export function SaveAsModelButton({ outputRef, suggestedName }: { outputRef: OutputRef; suggestedName: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="save-as-model">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="5" cy="5.5" r="2" fill="currentColor" />
          <circle cx="11" cy="5" r="1.5" fill="currentColor" opacity=".7" />
          <circle cx="9" cy="11" r="2.3" fill="currentColor" />
        </svg>
        Save as trained model
      </button>
      {open ? <SaveAsModelDialog outputRef={outputRef} suggestedName={suggestedName} onClose={() => setOpen(false)} /> : null}
    </>
  )
}

function SaveAsModelDialog({ outputRef, suggestedName, onClose }: { outputRef: OutputRef; suggestedName: string; onClose: () => void }) {
  const toast = useToast()
  const [description, setDescription] = useState('')
  const save = async (name: string) => {
    const saved = await saveModel({
      run_id: outputRef.runId,
      node_id: outputRef.nodeId,
      port: outputRef.port,
      name,
      ...(description.trim() ? { description: description.trim() } : {}),
    })
    announceModelsChanged() // the palette's Trained Models list shows it at once
    const columns = saved.feature_columns.length
    toast({
      tone: 'success',
      title: `Saved “${saved.name}”`,
      text: `${saved.algorithm_name}, ${saved.k} clusters on ${columns} column${columns === 1 ? '' : 's'}: now under Trained Models in the palette and on the Models page.`,
    })
  }
  return (
    <SaveOutputDialog
      idPrefix="save-as-model"
      title="Save as trained model"
      noun="model"
      submitLabel="Save model"
      hint="A copy of this model: reuse it in other experiments, deploy it as a web service or export it. It stays when the run is deleted."
      suggestedName={suggestedName}
      save={save}
      onClose={onClose}
    >
      <div className="field">
        <label className="field-label" htmlFor="save-as-model-description">
          Description <span className="field-optional">(optional)</span>
        </label>
        <textarea
          id="save-as-model-description"
          className="textarea"
          rows={3}
          maxLength={4000}
          placeholder="What it was trained on, what its clusters mean…"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
    </SaveOutputDialog>
  )
}
