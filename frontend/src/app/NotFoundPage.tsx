import { Link } from 'react-router'
import { Logo } from './Logo'

export function NotFoundPage({
  title = 'This page does not exist',
  text = 'The address may be mistyped, or the page has moved.',
  linkTo = '/',
  linkLabel = 'Go to your experiments',
}: {
  title?: string
  text?: string
  linkTo?: string
  linkLabel?: string
}) {
  return (
    <div className="not-found-page">
      <main className="not-found">
        <Logo size={36} />
        <p className="not-found-code">404</p>
        <h1>{title}</h1>
        <p>{text}</p>
        <Link className="btn btn-primary" to={linkTo}>
          {linkLabel}
        </Link>
      </main>
    </div>
  )
}
