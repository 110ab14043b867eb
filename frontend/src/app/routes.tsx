import { lazy, Suspense } from 'react'
import { Route, Routes } from 'react-router'
import { AuthProvider, RequireAuth } from '../features/auth/AuthContext'
import { SignInPage, SignUpPage } from '../features/auth/AuthPages'
import { ExperimentsPage } from '../features/experiments/ExperimentsPage'
import { ToastProvider } from '../ui/Toasts'
import { Spinner } from '../ui/icons'
import { NotFoundPage } from './NotFoundPage'
import { lazyPages } from './pages'

// Pages whose code is loaded when visited (app/pages.ts): the charts, the canvas, the markdown renderer
// stay out of the code every page needs.
const OutputPage = lazy(lazyPages.output.load)
const EditorPage = lazy(lazyPages.editor.load)
const ModelsPage = lazy(lazyPages.models.load)
const ServicesPage = lazy(lazyPages.services.load)
const ServicePage = lazy(lazyPages.service.load)
const GalleryPage = lazy(lazyPages.gallery.load)
const GalleryEntryPage = lazy(lazyPages.galleryEntry.load)
const SharedLinkPage = lazy(lazyPages.sharedLink.load)

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
          <Route path={lazyPages.editor.path} element={<RequireAuth><Suspense fallback={<PageLoading />}><EditorPage /></Suspense></RequireAuth>} />
          <Route path={lazyPages.output.path} element={<Suspense fallback={null}><OutputPage /></Suspense>} />
          <Route path={lazyPages.models.path} element={<RequireAuth><Suspense fallback={<PageLoading />}><ModelsPage /></Suspense></RequireAuth>} />
          <Route path={lazyPages.services.path} element={<RequireAuth><Suspense fallback={<PageLoading />}><ServicesPage /></Suspense></RequireAuth>} />
          <Route path={lazyPages.service.path} element={<RequireAuth><Suspense fallback={<PageLoading />}><ServicePage /></Suspense></RequireAuth>} />
          <Route path={lazyPages.gallery.path} element={<Suspense fallback={<PageLoading />}><GalleryPage /></Suspense>} />
          <Route path={lazyPages.galleryEntry.path} element={<Suspense fallback={<PageLoading />}><GalleryEntryPage /></Suspense>} />
          <Route path={lazyPages.sharedLink.path} element={<Suspense fallback={<PageLoading />}><SharedLinkPage /></Suspense>} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </ToastProvider>
    </AuthProvider>
  )
}
