import { Link } from 'react-router'
import { Header } from './Header'

export function NotFoundPage() {
  return (
    <div className="app-shell">
      <Header />
      <main className="not-found">
        <p className="not-found-code">404</p>
        <h1>This page does not exist</h1>
        <p>The address may be mistyped, or the page has moved.</p>
        <Link className="btn btn-primary" to="/">
          Open the editor
        </Link>
      </main>
    </div>
  )
}
