import { useEffect, useRef, useState } from 'react'
import { hasFiles } from '../canvas/dragData'
import { useLatest } from './useLatest'

/**
 * Files dragged from the desktop anywhere over the editor: `over` while they are (for the drop
 * overlay), and `onFiles` with what is dropped (uploaded as datasets). Palette drags are not files
 * and are left to the canvas. A read-only editor shows the "no drop" cursor.
 */
export function useFileDrop({ onFiles, readOnly }: { onFiles: (files: File[]) => void; readOnly: boolean }) {
  const [over, setOver] = useState(false)
  const depth = useRef(0)
  const latest = useLatest({ onFiles, readOnly })

  useEffect(() => {
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      depth.current += 1
      setOver(true)
    }
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = latest.current.readOnly ? 'none' : 'copy'
    }
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      depth.current = Math.max(0, depth.current - 1)
      if (depth.current === 0) setOver(false)
    }
    const onDrop = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      event.preventDefault()
      depth.current = 0
      setOver(false)
      const files = [...(event.dataTransfer?.files ?? [])]
      if (files.length) latest.current.onFiles(files)
    }
    window.addEventListener('dragenter', onEnter)
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnter)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [latest])

  return over
}
