import { useState } from 'react'
import { apiSend } from '../../api/client'
import type { Dataset } from '../../api/types'
import { announceDatasetsChanged } from '../../app/apiResources'
import { useToast } from '../../ui/Toasts'
import { outputPath, type OutputRef } from './api'
import { SaveOutputDialog } from './SaveOutputDialog'

/** `POST …/outputs/{port}/save-as-dataset`: the table kept as one of the caller's datasets. */
export const saveOutputAsDataset = (ref: OutputRef, name: string) =>
  apiSend<Dataset>('POST', `${outputPath(ref)}/save-as-dataset`, { name })

/** "Save as dataset" for a table output: asks for a name, then keeps a copy that outlives the run. */
export function SaveAsDatasetButton({ outputRef, suggestedName }: { outputRef: OutputRef; suggestedName: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="save-as-dataset">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path d="M3 2.5h8l2 2v9H3zM5.5 2.5v3.5h5V2.5M5.5 13.5v-4h5v4" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
        </svg>
        Save as dataset
      </button>
      {open ? <SaveAsDatasetDialog outputRef={outputRef} suggestedName={suggestedName} onClose={() => setOpen(false)} /> : null}
    </>
  )
}

function SaveAsDatasetDialog({ outputRef, suggestedName, onClose }: { outputRef: OutputRef; suggestedName: string; onClose: () => void }) {
  const toast = useToast()
  const save = async (name: string) => {
    const saved = await saveOutputAsDataset(outputRef, name)
    announceDatasetsChanged() // the palette lists it at once
    toast({
      tone: 'success',
      title: `Saved “${saved.name}”`,
      text: `${saved.n_rows.toLocaleString('en')} rows × ${saved.n_columns} columns, now in your datasets.`,
    })
  }
  return (
    <SaveOutputDialog
      idPrefix="save-as-dataset"
      title="Save as dataset"
      noun="dataset"
      submitLabel="Save"
      hint="A copy of this table in your datasets: it stays when the run is deleted."
      suggestedName={suggestedName}
      save={save}
      onClose={onClose}
    />
  )
}
