/* Starts ReDoc on /redoc (a file of its own: the desk's Content-Security-Policy allows no inline script). */
Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
