import { render } from '@testing-library/react'
import { createMemoryRouter, RouterProvider } from 'react-router'
import { AppRoutes } from '../app/routes'

/** The whole app at `path`, in a data router (the editor's leave guard needs one). */
export function renderApp(path: string) {
  const router = createMemoryRouter([{ path: '*', element: <AppRoutes /> }], { initialEntries: [path] })
  const result = render(<RouterProvider router={router} />)
  return { ...result, router }
}
