import { useCallback, useState, type Dispatch } from 'react'
import { errorMessage } from '../../api/client'
import { validateGraph } from '../../api/endpoints'
import type { Graph } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import type { DocAction } from './docReducer'
import type { ImportCandidate } from './EditorDialogs'
import { fromApiGraph } from './graphDoc'
import { downloadText, fileNameFor, graphFile, parseGraphFile } from './graphFile'
import { useLatest } from './useLatest'

/**
 * The graph as a JSON file: exporting it, and importing one (read, checked by the server, shown in
 * the import dialog, then put on the canvas as one undo step).
 */
export function useGraphImport({ dispatch, name, graph, requestFit }: { dispatch: Dispatch<DocAction>; name: string; graph: Graph; requestFit: () => void }) {
  const toast = useToast()
  const [importing, setImporting] = useState<ImportCandidate | null>(null)
  const latest = useLatest({ name, graph })

  const exportGraph = useCallback(() => {
    const { name: current, graph: shown } = latest.current
    downloadText(fileNameFor(current), `${JSON.stringify(graphFile(current, shown), null, 2)}\n`)
  }, [latest])

  const importFile = useCallback(
    async (file: File) => {
      const parsed = parseGraphFile(await file.text())
      if (!parsed.ok) {
        toast({ tone: 'error', title: `Cannot import ${file.name}`, text: parsed.error })
        return
      }
      setImporting({ fileName: file.name, graph: parsed.graph, result: null, error: null })
      try {
        const result = await validateGraph(parsed.graph)
        setImporting((c) => (c && c.graph === parsed.graph ? { ...c, result } : c))
      } catch (error) {
        setImporting((c) => (c && c.graph === parsed.graph ? { ...c, error: errorMessage(error) } : c))
      }
    },
    [toast],
  )

  const applyImport = useCallback(() => {
    if (!importing) return
    const imported = fromApiGraph(importing.graph)
    dispatch({ type: 'edit', update: () => imported })
    setImporting(null)
    requestFit()
    toast({ tone: 'success', title: `Imported ${importing.fileName}`, text: 'Save to keep it; undo brings the previous graph back.' })
  }, [dispatch, importing, requestFit, toast])

  const cancelImport = useCallback(() => setImporting(null), [])

  return { exportGraph, importFile, importing, applyImport, cancelImport }
}
