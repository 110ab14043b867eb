import { startLoadingPage } from './app/pages'

// The entry is kept tiny, so that the code of the page being opened (an output's charts, the editor's
// canvas) is fetched beside the app's own code, rather than only once the app has run and routed.
startLoadingPage(window.location.pathname)
void import('./app/start')
