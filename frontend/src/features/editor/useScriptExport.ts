import { useCallback } from 'react'
import { errorMessage } from '../../api/client'
import { downloadFromServer } from '../../api/download'
import { experimentExportUrl, type ScriptFormat } from '../../api/endpoints'
import { useToast } from '../../ui/Toasts'

export const SCRIPT_FORMATS: { format: ScriptFormat; label: string; hint: string }[] = [
  { format: 'py', label: 'Export as Python script', hint: '.py' },
  { format: 'ipynb', label: 'Export as Jupyter notebook', hint: '.ipynb' },
]

/**
 * Downloads the saved experiment as a script or notebook that reruns it with the studio's engine.
 * With `runId` (the run on the canvas, when it ran the saved version or is a past run being viewed)
 * it is that run's version with the seeds that run drew, so the script repeats the run exactly.
 */
export function useScriptExport(experimentId: number, dirty: boolean, runId: number | null) {
  const toast = useToast()
  return useCallback(
    async (format: ScriptFormat) => {
      try {
        const name = await downloadFromServer(experimentExportUrl(experimentId, format, runId), `experiment.${format}`)
        const repeats = runId === null ? '' : `It repeats run #${runId}, with the seeds that run drew. `
        toast({
          tone: 'success',
          title: `Exported ${name}`,
          text: dirty
            ? `${repeats}It holds the saved version: save, then export again to include your latest changes.`
            : `${repeats}Its first lines say which dataset files to give it; it writes every output to files.`,
        })
      } catch (error) {
        toast({ tone: 'error', title: 'Cannot export the experiment', text: errorMessage(error) })
      }
    },
    [experimentId, dirty, runId, toast],
  )
}
