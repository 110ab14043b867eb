import { lazy, Suspense, type ComponentType } from 'react'
import { Route, Routes } from 'react-router'
import { AuthProvider, RequireAuth } from '../features/auth/AuthContext'
import { SignInPage, SignUpPage } from '../features/auth/AuthPages'
import { ExperimentsPage } from '../features/experiments/ExperimentsPage'
import { ToastProvider } from '../ui/Toasts'
import { Spinner } from '../ui/icons'
import { NotFoundPage } from './NotFoundPage'

// The output page brings the charts: loaded only when visited, so they stay out of the main bundle
// (import.meta.glob also lets the app build before the visualize feature is there).
const visualize = Object.values(import.meta.glob<{ OutputPage: ComponentType }>('../features/visualize/index.ts'))[0]
const OutputPage = visualize ? lazy(() => visualize().then((module) => ({ default: module.OutputPage }))) : NotFoundPage

// The gallery and the read-only link pages (and the markdown renderer they bring): loaded when visited.
const GalleryPage = lazy(() => import('../features/sharing/GalleryPage').then((module) => ({ default: module.GalleryPage })))
const GalleryEntryPage = lazy(() => import('../features/sharing/PublicPages').then((module) => ({ default: module.GalleryEntryPage })))
const SharedLinkPage = lazy(() => import('../features/sharing/PublicPages').then((module) => ({ default: module.SharedLinkPage })))

// The editor brings the canvas (React Flow, d3): half of the app's code, loaded when an experiment is
// opened, so the other pages (an output opened from a link, the experiment list) start sooner.
const EditorPage = lazy(() => import('../features/editor/EditorPage').then((module) => ({ default: module.EditorPage })))

// Trained models and web services: loaded when visited.
const ModelsPage = lazy(() => import('../features/models/ModelsPage').then((module) => ({ default: module.ModelsPage })))
const ServicesPage = lazy(() => import('../features/services/ServicesPage').then((module) => ({ default: module.ServicesPage })))
const ServicePage = lazy(() => import('../features/services/ServicePage').then((module) => ({ default: module.ServicePage })))

function PageLoading() {
  return (
    <div className="page-loading" aria-busy="true">
      <Spinner size={20} label="Loading" />
    </div>
  )
}

/** Every route of the single-page app. The server answers any non-/api path with index.html. */
export function AppRoutes() {
  return (
    <AuthProvider>
      <ToastProvider>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/signup" element={<SignUpPage />} />
          <Route path="/" element={<RequireAuth><ExperimentsPage /></RequireAuth>} />
          <Route path="/experiments/:id" element={<RequireAuth><Suspense fallback={<PageLoading />}><EditorPage /></Suspense></RequireAuth>} />
          <Route path="/runs/:runId/nodes/:nodeId/outputs/:port" element={<Suspense fallback={null}><OutputPage /></Suspense>} />
          <Route path="/models" element={<RequireAuth><Suspense fallback={<PageLoading />}><ModelsPage /></Suspense></RequireAuth>} />
          <Route path="/services" element={<RequireAuth><Suspense fallback={<PageLoading />}><ServicesPage /></Suspense></RequireAuth>} />
          <Route path="/services/:id" element={<RequireAuth><Suspense fallback={<PageLoading />}><ServicePage /></Suspense></RequireAuth>} />
          <Route path="/gallery" element={<Suspense fallback={<PageLoading />}><GalleryPage /></Suspense>} />
          <Route path="/gallery/:id" element={<Suspense fallback={<PageLoading />}><GalleryEntryPage /></Suspense>} />
          <Route path="/shared/:token" element={<Suspense fallback={<PageLoading />}><SharedLinkPage /></Suspense>} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </ToastProvider>
    </AuthProvider>
  )
}
