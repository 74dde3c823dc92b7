import type { AnyModel } from '@unionml/core';
import { exampleRecord } from './openapi.js';
import { escapeHtml, reportInputOf, reportSection } from './report.js';

/**
 * The HTML page served at `GET /`: the model's name, the routes, and a curl example that posts one feature row.
 *
 * @param origin where the server is reached, e.g. `http://127.0.0.1:8000` (from the request's Host header)
 */
export function indexPage(model: AnyModel, origin: string): string {
  const record = exampleRecord(model);
  const features = record ? `[${JSON.stringify(record).replace(/,/g, ', ')}]` : '[{"column": value, ...}]';
  const body = `{"features": ${features}}`;
  const curl = `curl -X POST ${origin}/predict \\\n  -H 'Content-Type: application/json' \\\n  -d '${body.replace(/'/g, "'\\''")}'`;
  const name = escapeHtml(model.name);
  const report = reportInputOf(model);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>unionml</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap;word-break:break-all}code{background:#f4f4f4;padding:0 .2rem}</style>
</head>
<body>
<h1>unionml</h1>
<p>Serving the model <strong>${name}</strong>.</p>
<ul>
<li><a href="/health">/health</a>: whether a trained model is loaded, and which</li>
<li><a href="/ready">/ready</a>: whether the server takes requests (503 while it shuts down)</li>
<li><a href="/openapi.json">/openapi.json</a>: the OpenAPI 3.1 description of this API</li>
<li><code>POST /predict</code>: predictions, from <code>{"features": [rows]}</code> or <code>{"inputs": {reader arguments}}</code></li>
</ul>
<h2>Try it</h2>
<pre>${escapeHtml(curl)}</pre>
${report ? reportSection(report) : ''}
</body>
</html>
`;
}

/** The origin to show for a request's Host header; anything unusual becomes a placeholder. */
export function originOf(host: string | undefined): string {
  return host !== undefined && host.length <= 255 && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : 'http://HOST:PORT';
}
