/// The UI's page: a shell the script fills; the token field's value stays in the browser.
enum UIPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>floe</title>
        <link rel="stylesheet" href="/ui/floe.css">
        </head>
        <body>
        <header class="bar"><a class="brand" href="#/assets">floe</a>
        <nav><a data-page="assets" href="#/assets">Assets</a><a data-page="runs" href="#/runs">Runs</a><a data-page="tests" href="#/tests">Tests</a>\
        <a data-page="playground" href="#/playground">Playground</a><a href="/docs/">Docs</a></nav>
        <span id="product" class="product"></span>
        <form id="token-form" class="token"><input id="token" type="password" placeholder="token (JWT)" autocomplete="off"><button>Use</button></form>
        </header>
        <main id="main" class="page"><p class="muted">Loading…</p></main>
        <script src="/ui/graph.js"></script>
        <script src="/ui/ui.js"></script>
        </body>
        </html>

        """
}
