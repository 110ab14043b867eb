import { useCallback, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import type { Dataset } from '../../api/types'
import { uploadDataset } from '../../api/upload'

export interface UploadItem {
  key: number
  fileName: string
  /** 0…1 of the bytes sent. */
  progress: number
  state: 'uploading' | 'processing' | 'error'
  error?: string
}

const ACCEPTED = /\.(csv|tsv|txt|tab|parquet|pq)$/i

/** Uploads with progress; finished uploads leave the list, failed ones stay until dismissed. */
export function useUploads(onUploaded: (dataset: Dataset, fileName: string) => void) {
  const [items, setItems] = useState<UploadItem[]>([])
  const nextKey = useRef(1)
  const onUploadedRef = useRef(onUploaded)
  onUploadedRef.current = onUploaded

  const patch = (key: number, update: Partial<UploadItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...update } : item)))

  const upload = useCallback((files: Iterable<File>) => {
    for (const file of files) {
      const key = nextKey.current++
      if (!ACCEPTED.test(file.name)) {
        setItems((list) => [
          ...list,
          { key, fileName: file.name, progress: 0, state: 'error', error: 'Only CSV, TSV and Parquet files can be uploaded.' },
        ])
        continue
      }
      setItems((list) => [...list, { key, fileName: file.name, progress: 0, state: 'uploading' }])
      const handle = uploadDataset(file, (fraction) =>
        patch(key, fraction >= 1 ? { progress: 1, state: 'processing' } : { progress: fraction }),
      )
      handle.promise.then(
        (dataset) => {
          setItems((list) => list.filter((item) => item.key !== key))
          onUploadedRef.current(dataset, file.name)
        },
        (error: unknown) => patch(key, { state: 'error', error: errorMessage(error) }),
      )
    }
  }, [])

  const dismiss = useCallback((key: number) => setItems((list) => list.filter((item) => item.key !== key)), [])

  return { items, upload, dismiss }
}
