import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, RouterProvider } from 'react-router'
import { AppRoutes } from './app/routes'
import './styles/theme.css'
import './styles/app.css'
import './ui/ui.css'

// A data router (so the editor can guard leaving with unsaved changes); the routes themselves are
// declared in AppRoutes.
const router = createBrowserRouter([{ path: '*', element: <AppRoutes /> }])

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
)
