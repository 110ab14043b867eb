import { Route, Routes } from 'react-router'
import { EditorPage } from './EditorPage'
import { NotFoundPage } from './NotFoundPage'

/** Every route of the single-page app. The server answers any non-/api path with index.html. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<EditorPage />} />
      <Route path="/experiments/:id" element={<EditorPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}
