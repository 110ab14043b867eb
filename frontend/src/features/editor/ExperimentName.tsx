import { useEffect, useRef, useState } from 'react'

/** The experiment's name in the header; click to rename (Enter saves, Escape cancels). */
export function ExperimentName({ name, onRename, disabled }: { name: string; onRename: (name: string) => Promise<boolean>; disabled?: boolean }) {
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(name)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (editing) input.current?.select()
  }, [editing])

  if (!editing) {
    return (
      <button
        type="button"
        className="experiment-name"
        data-testid="experiment-name"
        aria-current="page"
        title={disabled ? name : 'Rename'}
        disabled={disabled}
        onClick={() => {
          setDraft(name)
          setEditing(true)
        }}
      >
        {name}
      </button>
    )
  }
  const finish = async (save: boolean) => {
    const trimmed = draft.trim()
    if (save && trimmed && trimmed !== name) {
      if (!(await onRename(trimmed))) return
    }
    setEditing(false)
  }
  return (
    <input
      ref={input}
      className="input experiment-name-input"
      aria-label="Experiment name"
      value={draft}
      maxLength={255}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') void finish(true)
        if (e.key === 'Escape') void finish(false)
      }}
      onBlur={() => void finish(true)}
    />
  )
}
