// Starts ReDoc on /redoc (a file of its own, not an inline script: see swagger-init.js).
Redoc.init('/openapi.json', { hideDownloadButton: false }, document.getElementById('redoc'))
