import { lazy, Suspense, type ComponentType } from 'react'
import { Route, Routes } from 'react-router'
import { AuthProvider, RequireAuth } from '../features/auth/AuthContext'
import { SignInPage, SignUpPage } from '../features/auth/AuthPages'
import { EditorPage } from '../features/editor/EditorPage'
import { ExperimentsPage } from '../features/experiments/ExperimentsPage'
import { ToastProvider } from '../ui/Toasts'
import { NotFoundPage } from './NotFoundPage'

// The output page brings the charts: loaded only when visited, so they stay out of the main bundle
// (import.meta.glob also lets the app build before the visualize feature is there).
const visualize = Object.values(import.meta.glob<{ OutputPage: ComponentType }>('../features/visualize/index.ts'))[0]
const OutputPage = visualize ? lazy(() => visualize().then((module) => ({ default: module.OutputPage }))) : NotFoundPage

/** Every route of the single-page app. The server answers any non-/api path with index.html. */
export function AppRoutes() {
  return (
    <AuthProvider>
      <ToastProvider>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/signup" element={<SignUpPage />} />
          <Route path="/" element={<RequireAuth><ExperimentsPage /></RequireAuth>} />
          <Route path="/experiments/:id" element={<RequireAuth><EditorPage /></RequireAuth>} />
          <Route path="/runs/:runId/nodes/:nodeId/outputs/:port" element={<Suspense fallback={null}><OutputPage /></Suspense>} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </ToastProvider>
    </AuthProvider>
  )
}
