import { createHash } from 'node:crypto';
import type { AnyModel, ClassLabel, Evaluation, Metrics } from '@unionml/core';

/** What a model report shows: a trained model's name, metrics, hyperparameters and evaluation. */
export interface ReportInput {
  /** The model's name. */
  model: string;
  /** When the model was trained and saved, as an ISO 8601 time. */
  savedAt?: string;
  /** The version of unionml that trained it. */
  unionml?: string;
  /** The model's hyperparameters (JSON data). */
  hyperparameters?: unknown;
  /** The evaluator's named values on each split. */
  metrics: Metrics;
  /** A confusion matrix (classification) or predicted against actual values (regression). */
  evaluation?: Evaluation;
}

/** The report of a model's current artifact (trained or loaded), or `undefined` when it has none. */
export function reportInputOf(model: AnyModel): ReportInput | undefined {
  const artifact = model.artifact;
  if (!artifact) return undefined;
  return {
    model: model.name,
    ...(artifact.savedAt ? { savedAt: artifact.savedAt } : {}),
    hyperparameters: artifact.hyperparameters,
    metrics: artifact.metrics ?? {},
    ...(artifact.evaluation ? { evaluation: artifact.evaluation } : {}),
  };
}

/** Options of {@link reportSection}. */
export interface ReportSectionOptions {
  /** The heading level of the model's name (its parts get one level more). Default 2. */
  headingLevel?: 1 | 2 | 3 | 4;
}

/** The report's styles, all scoped under `.unionml-report`. Kept constant so that one CSP hash allows them. */
const CSS = [
  '.unionml-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;color:#1f2937;line-height:1.45;max-width:60rem;margin:0 auto;padding:0 1rem 1rem}',
  '.unionml-report :is(h1,h2,h3,h4,h5){line-height:1.2;margin:1.2em 0 .4em}',
  '.unionml-report .ur-meta{color:#4b5563;margin:0 0 1rem}',
  '.unionml-report .ur-note{color:#4b5563;margin:0 0 .5rem;font-size:.9rem}',
  '.unionml-report .ur-empty{color:#6b7280;font-style:italic}',
  '.unionml-report table{border-collapse:collapse;font-size:.9rem;margin:.25rem 0 1rem}',
  '.unionml-report th,.unionml-report td{border:1px solid #d1d5db;padding:.2rem .6rem;text-align:left;vertical-align:top}',
  '.unionml-report thead th{background:#f3f4f6}',
  '.unionml-report .ur-num{text-align:right;font-variant-numeric:tabular-nums}',
  '.unionml-report code,.unionml-report pre{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.85rem}',
  '.unionml-report pre{background:#f4f4f5;padding:.6rem;margin:0;overflow:auto;max-height:24rem}',
  '.unionml-report td code{overflow-wrap:anywhere}',
  '.unionml-report figure{margin:.5rem 0}',
  '.unionml-report svg{display:block;max-width:100%;height:auto}',
  '.unionml-report svg text{font-family:inherit}',
  '.unionml-report details{margin:.25rem 0 1rem}',
  '.unionml-report summary{cursor:pointer;color:#374151}',
  '.unionml-report .ur-scroll{overflow:auto;max-height:28rem;max-width:100%}',
].join('');

/**
 * The CSP source expression (`'sha256-…'`) that allows the report's inline `<style>`. A page that embeds
 * {@link reportSection} under a Content-Security-Policy adds it to `style-src`; nothing else is needed (no scripts,
 * no style attributes, no external resources).
 */
export const REPORT_STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** The Content-Security-Policy of the page {@link renderReport} makes (it carries it in a `<meta>` element too). */
export const REPORT_CSP = `default-src 'none'; style-src ${REPORT_STYLE_HASH}; base-uri 'none'; form-action 'none'`;

/** The colour of the points of the predicted-vs-actual plot. */
export const POINT_COLOUR = '#d95f02';

/**
 * A complete, self-contained HTML page that reports on a trained model: its name, time and version, a metrics table,
 * the confusion matrix (classification) or predicted-vs-actual plot (regression) as inline SVG with a data table
 * fallback, and the hyperparameters. No scripts and no external resources; it carries a strict
 * Content-Security-Policy ({@link REPORT_CSP}). The same input gives the same bytes.
 */
export function renderReport(input: ReportInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.model)} · unionml model report</title>
<style>${CSS}</style>
</head>
<body>
${sectionElement(input, 1)}
</body>
</html>
`;
}

/**
 * The content of {@link renderReport} as an HTML fragment for another page (a `<section class="unionml-report">` with
 * its own `<style>`, whose rules all apply inside the section only). Under a CSP, allow {@link REPORT_STYLE_HASH}.
 */
export function reportSection(input: ReportInput, options: ReportSectionOptions = {}): string {
  return `<section class="unionml-report" aria-label="${escapeHtml(`Model report: ${input.model}`)}">
<style>${CSS}</style>
${sectionBody(input, options.headingLevel ?? 2)}
</section>
`;
}

function sectionElement(input: ReportInput, level: number): string {
  return `<section class="unionml-report" aria-label="${escapeHtml(`Model report: ${input.model}`)}">
${sectionBody(input, level)}
</section>`;
}

function sectionBody(input: ReportInput, level: number): string {
  const h = (offset: number, text: string) => `<h${level + offset}>${text}</h${level + offset}>`;
  const parts = [h(0, escapeHtml(input.model)), metaLine(input), h(1, 'Metrics'), metricsTable(input.metrics)];
  const evaluation = input.evaluation;
  if (evaluation?.kind === 'classification') parts.push(h(1, 'Confusion matrix'), confusionMatrix(evaluation));
  else if (evaluation?.kind === 'regression') parts.push(h(1, 'Predicted against actual'), regressionPlot(evaluation));
  parts.push(h(1, 'Hyperparameters'), hyperparametersBlock(input.hyperparameters));
  return parts.join('\n');
}

// ---- header, metrics, hyperparameters ------------------------------------------------------------------------

function metaLine(input: ReportInput): string {
  const bits: string[] = [];
  if (input.savedAt !== undefined) bits.push(`Trained <time datetime="${escapeHtml(input.savedAt)}">${escapeHtml(formatTime(input.savedAt))}</time>`);
  if (input.unionml !== undefined) bits.push(`unionml ${escapeHtml(input.unionml)}`);
  return `<p class="ur-meta">${bits.length ? bits.join(' · ') : 'Training time and version not recorded'}</p>`;
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS UTC` (any zone is converted to UTC); anything unparseable is shown as it is. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}

const SPLIT_ORDER = ['train', 'test'];

function metricsTable(metrics: Metrics): string {
  const record: Record<string, unknown> = isPlainObject(metrics) ? metrics : {};
  const extra = Object.keys(record).filter((k) => !SPLIT_ORDER.includes(k));
  const splits = [...SPLIT_ORDER, ...extra].filter((k) => isPlainObject(record[k]));
  const values = (split: string) => record[split] as Record<string, unknown>;
  const names: string[] = [];
  for (const split of splits) for (const name of Object.keys(values(split))) if (!names.includes(name)) names.push(name);
  if (!names.length) return '<p class="ur-empty">No metrics were recorded.</p>';
  const head = `<tr><th scope="col">Metric</th>${splits.map((s) => `<th scope="col" class="ur-num">${escapeHtml(s)}</th>`).join('')}</tr>`;
  const rows = names.map((name) => {
    const cells = splits.map((split) => {
      const split_ = values(split);
      if (!Object.hasOwn(split_, name)) return '<td class="ur-num" title="not measured">—</td>';
      const value = split_[name];
      if (typeof value === 'number') return `<td class="ur-num" title="${escapeHtml(String(value))}">${escapeHtml(formatNumber(value))}</td>`;
      // JSON has no NaN: a model file stores an evaluator's NaN as null.
      if (value === null) return '<td class="ur-num" title="NaN (stored as null)">NaN</td>';
      return `<td class="ur-num">${escapeHtml(jsonText(value))}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(name)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="ur-metrics"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function hyperparametersBlock(value: unknown): string {
  if (value === undefined || value === null) return '<p class="ur-empty">None recorded.</p>';
  if (!isPlainObject(value)) return `<pre>${escapeHtml(jsonText(value, 2))}</pre>`;
  const entries = Object.entries(value);
  if (!entries.length) return '<p class="ur-empty">None.</p>';
  const rows = entries.map(([key, v]) => {
    const compact = jsonText(v);
    const shown =
      compact.length > 60 && typeof v === 'object' && v !== null ? `<pre>${escapeHtml(jsonText(v, 2))}</pre>` : `<code>${escapeHtml(compact)}</code>`;
    return `<tr><th scope="row">${escapeHtml(key)}</th><td>${shown}</td></tr>`;
  });
  return `<table class="ur-hyperparameters"><tbody>${rows.join('')}</tbody></table>`;
}

// ---- classification: the confusion matrix --------------------------------------------------------------------

type Classification = Extract<Evaluation, { kind: 'classification' }>;

/** ColorBrewer's "Blues": the heatmap's colours from a row share of 0 to 1. */
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

/** The heatmap colour of a cell whose count is `share` (0 to 1) of its row's. */
export function heatColour(share: number): string {
  const t = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const at = t * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(at));
  const [a, b] = [hexRgb(BLUES[i] ?? '#000000'), hexRgb(BLUES[i + 1] ?? '#000000')];
  const f = at - i;
  return rgbHex(a.map((c, k) => Math.round(c + ((b[k] ?? 0) - c) * f)));
}

/** The longest label shown in the heatmap; longer ones are cut (the cells' tooltips and the table keep them whole). */
const MAX_LABEL_CHARS = 24;
/** The average width of a character, as a share of the font size (labels are measured without a browser). */
const CHAR_WIDTH = 0.6;

function confusionMatrix(evaluation: Classification): string {
  const labels = Array.isArray(evaluation.labels) ? evaluation.labels.map(labelText) : [];
  const n = labels.length;
  const note = (extra: string) =>
    `<p class="ur-note">Target <code>${escapeHtml(String(evaluation.target))}</code>, ${escapeHtml(String(evaluation.split))} split${extra}.</p>`;
  if (!n) return `${note('')}\n<p class="ur-empty">No classes.</p>`;
  const counts = labels.map((_, i) => labels.map((_, j) => count(evaluation.matrix?.[i]?.[j])));
  const rowTotals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const correct = counts.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  const accuracy = total ? ` (${formatPercent(correct / total)} on the diagonal)` : '';
  const summary = `Confusion matrix of ${String(evaluation.target)} on the ${String(evaluation.split)} split: ${n} ${n === 1 ? 'class' : 'classes'}, ${groupDigits(total)} rows${accuracy}. Rows: actual class; columns: predicted class; shade: share of the row.`;
  const svg = heatmapSvg(labels, counts, rowTotals, summary);
  const head = `<tr><th scope="col">Actual \\ predicted</th>${labels.map((l) => `<th scope="col">${escapeHtml(l)}</th>`).join('')}<th scope="col">Total</th></tr>`;
  const body = counts
    .map(
      (row, i) =>
        `<tr><th scope="row">${escapeHtml(labels[i] ?? '')}</th>${row.map((c) => `<td class="ur-num">${c}</td>`).join('')}<td class="ur-num">${rowTotals[i] ?? 0}</td></tr>`,
    )
    .join('');
  const table = `<details><summary>The confusion matrix as a table</summary><div class="ur-scroll"><table class="ur-confusion"><thead>${head}</thead><tbody>${body}</tbody></table></div></details>`;
  return `${note(`, ${groupDigits(total)} rows${accuracy}`)}\n<figure class="ur-chart">${svg}</figure>\n${table}`;
}

function heatmapSvg(labels: string[], counts: number[][], rowTotals: number[], summary: string): string {
  const n = labels.length;
  const cell = Math.max(12, Math.min(56, Math.floor(560 / n)));
  const side = n * cell;
  const shown = labels.map((l) => truncate(l, MAX_LABEL_CHARS));
  const fs = round1(Math.min(12, Math.max(7, cell * 0.75)));
  const labelWidth = Math.max(...shown.map((l) => textWidth(l, fs)));
  // Column labels: level when they fit their column, else at 45° when neighbours do not collide, else upright.
  const rotation = labelWidth <= cell - 4 ? 0 : cell * Math.SQRT1_2 >= fs * 1.2 ? -45 : -90;
  const left = Math.ceil(24 + labelWidth + 6);
  const top = 8;
  const colLabelHeight = Math.ceil(rotation === 0 ? fs + 8 : rotation === -45 ? labelWidth * Math.SQRT1_2 + fs + 8 : labelWidth + 10);
  const legendX = left + side + 16;
  const width = legendX + 12 + 44;
  const height = top + side + colLabelHeight + 26;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ur-heatmap" role="img" aria-label="${escapeHtml(summary)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-size="${fs}">`,
    `<title>${escapeHtml(summary)}</title>`,
  );
  // Cells, with a tooltip each: the counts of small cells are not written.
  out.push(`<g shape-rendering="crispEdges"${n <= 20 ? ' stroke="#ffffff" stroke-width="1"' : ''}>`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = counts[i]?.[j] ?? 0;
      const rowTotal = rowTotals[i] ?? 0;
      const share = rowTotal ? c / rowTotal : 0;
      const rect = `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${heatColour(share)}" data-share="${round4(share)}"`;
      // A tooltip for every cell of a small matrix; in a large one (whose table is long too) for those with rows.
      if (c === 0 && n > 20) {
        out.push(`${rect}/>`);
        continue;
      }
      const tip = `Actual ${labels[i] ?? ''}, predicted ${labels[j] ?? ''}: ${c}${rowTotal ? ` (${formatPercent(share)} of the row)` : ''}`;
      out.push(`${rect}><title>${escapeHtml(tip)}</title></rect>`);
    }
  }
  out.push('</g>');
  // Counts in the cells that have room for them.
  const countFont = Math.min(14, cell * 0.42);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = counts[i]?.[j] ?? 0;
      const text = String(c);
      const size = round1(Math.min(countFont, (cell - 4) / (text.length * CHAR_WIDTH)));
      if (size < 7) continue;
      const rowTotal = rowTotals[i] ?? 0;
      const share = rowTotal ? c / rowTotal : 0;
      const colour = share > 0.55 ? '#ffffff' : c === 0 ? '#9ca3af' : '#1f2937';
      texts.push(
        `<text x="${round1(left + (j + 0.5) * cell)}" y="${round1(top + (i + 0.5) * cell)}" fill="${colour}"${size === countFont ? '' : ` font-size="${size}"`}>${text}</text>`,
      );
    }
  }
  if (texts.length) out.push(`<g text-anchor="middle" dominant-baseline="central" font-size="${round1(countFont)}" aria-hidden="true">${texts.join('')}</g>`);
  out.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="#9ca3af"/>`);
  // Row labels (actual), column labels (predicted) and the axes' titles.
  out.push(
    `<g text-anchor="end" dominant-baseline="central" fill="#1f2937">${shown.map((l, i) => `<text x="${left - 6}" y="${round1(top + (i + 0.5) * cell)}">${escapeHtml(l)}</text>`).join('')}</g>`,
  );
  const y0 = top + side + 6;
  const colLabels = shown.map((l, j) => {
    const x = round1(left + (j + 0.5) * cell);
    if (rotation === 0) return `<text x="${x}" y="${y0}" text-anchor="middle" dominant-baseline="hanging">${escapeHtml(l)}</text>`;
    const ax = round1(x + (rotation === -90 ? fs * 0.35 : fs * 0.25));
    return `<text x="${ax}" y="${y0}" text-anchor="end" transform="rotate(${rotation} ${ax} ${y0})">${escapeHtml(l)}</text>`;
  });
  out.push(`<g fill="#1f2937">${colLabels.join('')}</g>`);
  out.push(
    `<text x="${round1(left + side / 2)}" y="${height - 8}" text-anchor="middle" font-size="13" font-weight="600" fill="#374151">Predicted</text>`,
    `<text x="12" y="${round1(top + side / 2)}" text-anchor="middle" font-size="13" font-weight="600" fill="#374151" transform="rotate(-90 12 ${round1(top + side / 2)})" dominant-baseline="central">Actual</text>`,
  );
  // The legend: ten steps of the row share.
  const legendHeight = Math.min(side, 160);
  const step = legendHeight / 10;
  const legend: string[] = [];
  for (let k = 0; k < 10; k++)
    legend.push(`<rect x="${legendX}" y="${round1(top + k * step)}" width="12" height="${round1(step + 0.5)}" fill="${heatColour(1 - (k + 0.5) / 10)}"/>`);
  out.push(
    `<g shape-rendering="crispEdges" aria-hidden="true">${legend.join('')}<rect x="${legendX}" y="${top}" width="12" height="${round1(legendHeight)}" fill="none" stroke="#9ca3af"/></g>`,
    `<g font-size="10" fill="#4b5563" dominant-baseline="central" aria-hidden="true"><text x="${legendX + 16}" y="${top + 4}">100%</text><text x="${legendX + 16}" y="${round1(top + legendHeight - 4)}">0%</text><text x="${legendX + 16}" y="${round1(top + legendHeight + 14)}">of row</text></g>`,
  );
  out.push('</svg>');
  return out.join('');
}

// ---- regression: predicted against actual --------------------------------------------------------------------

type Regression = Extract<Evaluation, { kind: 'regression' }>;

function regressionPlot(evaluation: Regression): string {
  const actual = Array.isArray(evaluation.actual) ? evaluation.actual : [];
  const predicted = Array.isArray(evaluation.predicted) ? evaluation.predicted : [];
  const pairs: [number, number][] = [];
  const length = Math.min(actual.length, predicted.length);
  for (let k = 0; k < length; k++) {
    const a = actual[k];
    const p = predicted[k];
    if (typeof a === 'number' && typeof p === 'number' && Number.isFinite(a) && Number.isFinite(p)) pairs.push([a, p]);
  }
  const rows = typeof evaluation.rows === 'number' && Number.isFinite(evaluation.rows) ? evaluation.rows : length;
  const dropped = length - pairs.length;
  const sample = rows > length ? ` (an evenly spaced sample of ${groupDigits(rows)} rows)` : '';
  const droppedNote = dropped ? `; ${groupDigits(dropped)} with a value that is not a finite number ${dropped === 1 ? 'is' : 'are'} not shown` : '';
  const target = String(evaluation.target);
  const note = `<p class="ur-note">Target <code>${escapeHtml(target)}</code>, ${escapeHtml(String(evaluation.split))} split: ${groupDigits(length)} ${length === 1 ? 'point' : 'points'}${escapeHtml(sample)}${escapeHtml(droppedNote)}.</p>`;
  if (!pairs.length) return `${note}\n<p class="ur-empty">No points to plot.</p>`;
  const summary = `Predicted against actual ${target} on the ${String(evaluation.split)} split: ${groupDigits(pairs.length)} points${sample}, with the line predicted = actual.`;
  const svg = scatterSvg(pairs, target, summary);
  const tableRows = pairs.map(([a, p]) => `<tr><td class="ur-num">${preciseNumber(a)}</td><td class="ur-num">${preciseNumber(p)}</td></tr>`).join('');
  const table = `<details><summary>The points as a table</summary><div class="ur-scroll"><table class="ur-points"><thead><tr><th scope="col" class="ur-num">Actual</th><th scope="col" class="ur-num">Predicted</th></tr></thead><tbody>${tableRows}</tbody></table></div></details>`;
  return `${note}\n<figure class="ur-chart">${svg}</figure>\n${table}`;
}

function scatterSvg(pairs: [number, number][], target: string, summary: string): string {
  let min = Infinity;
  let max = -Infinity;
  for (const [a, p] of pairs) {
    min = Math.min(min, a, p);
    max = Math.max(max, a, p);
  }
  // One scale for both axes, so that predicted = actual is the diagonal.
  const scale = niceTicks(min, max);
  const side = 440;
  const left = 76;
  const top = 14;
  const width = left + side + 20;
  const height = top + side + 58;
  const span = scale.max - scale.min;
  const sx = (v: number) => round1(left + ((v - scale.min) / span) * side);
  const sy = (v: number) => round1(top + side - ((v - scale.min) / span) * side);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ur-scatter" role="img" aria-label="${escapeHtml(summary)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-size="12">`,
    `<title>${escapeHtml(summary)}</title>`,
  );
  const labels = scale.ticks.map((t) => formatTick(t, scale.step));
  const grid = scale.ticks.map((t) => `M${sx(t)} ${top}V${top + side}M${left} ${sy(t)}H${left + side}`).join('');
  out.push(`<path d="${grid}" stroke="#e5e7eb" stroke-width="1" fill="none" shape-rendering="crispEdges"/>`);
  out.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="#6b7280" shape-rendering="crispEdges"/>`);
  const tickMarks = scale.ticks.map((t) => `M${sx(t)} ${top + side}v5M${left} ${sy(t)}h-5`).join('');
  out.push(`<path d="${tickMarks}" stroke="#6b7280" fill="none" shape-rendering="crispEdges"/>`);
  out.push(
    `<g fill="#374151" aria-hidden="true"><g text-anchor="middle" dominant-baseline="hanging">${scale.ticks.map((t, k) => `<text x="${sx(t)}" y="${top + side + 8}">${labels[k] ?? ''}</text>`).join('')}</g>`,
    `<g text-anchor="end" dominant-baseline="central">${scale.ticks.map((t, k) => `<text x="${left - 8}" y="${sy(t)}">${labels[k] ?? ''}</text>`).join('')}</g></g>`,
  );
  out.push(
    `<path d="M${sx(scale.min)} ${sy(scale.min)}L${sx(scale.max)} ${sy(scale.max)}" stroke="#6b7280" stroke-width="1.5" stroke-dasharray="6 4" fill="none"/>`,
  );
  // The points, as one path of circles (2,000 <circle> elements would be 3 times the bytes).
  const r = pairs.length > 1000 ? 2 : pairs.length > 200 ? 2.5 : 3.5;
  const dots = pairs.map(([a, p]) => `M${round1(sx(a) - r)} ${sy(p)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`).join('');
  out.push(`<path class="ur-points" fill="${POINT_COLOUR}" d="${dots}"/>`);
  const titleFont = 'font-size="13" font-weight="600" fill="#374151" text-anchor="middle"';
  const shownTarget = escapeHtml(truncate(target, 40));
  out.push(
    `<text x="${left + side / 2}" y="${height - 8}" ${titleFont}>Actual ${shownTarget}</text>`,
    `<text x="14" y="${top + side / 2}" ${titleFont} dominant-baseline="central" transform="rotate(-90 14 ${top + side / 2})">Predicted ${shownTarget}</text>`,
  );
  out.push('</svg>');
  return out.join('');
}

// ---- numbers ---------------------------------------------------------------------------------------------------

/** Axis ticks: a round step (1, 2 or 5 times a power of ten) and the ticks from `min` to `max`, which are widened to it. */
export interface Ticks {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * Round ticks that cover `[min, max]`: about `count` intervals of 1, 2 or 5 times a power of ten. A range of one
 * value is widened (by 10% of it, or by 1 around 0); reversed bounds are swapped; non-finite bounds give `[0, 1]`.
 */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  const span = max - min;
  if (!Number.isFinite(span)) return { min, max, step: NaN, ticks: [min, max] };
  const raw = span / Math.max(1, count);
  const exponent = Math.floor(Math.log10(raw));
  const fraction = raw / 10 ** exponent;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  const step = nice * 10 ** exponent;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const fix = (v: number) => (decimals <= 20 ? Number(v.toFixed(decimals)) : v);
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    const t = fix(k * step) || 0; // no -0
    if (ticks[ticks.length - 1] !== t) ticks.push(t);
  }
  return { min: ticks[0] ?? min, max: ticks[ticks.length - 1] ?? max, step, ticks };
}

/** A tick's label: as many decimals as the step needs, or an exponent for very large or small values. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.max(Math.abs(value), Math.abs(step));
  if (!Number.isFinite(step) || magnitude >= 1e6 || Math.abs(step) < 1e-4) {
    const digits = Number.isFinite(step) ? Math.max(0, Math.floor(Math.log10(Math.abs(value))) - Math.floor(Math.log10(Math.abs(step)))) : 3;
    return compactExponent(value.toExponential(Math.min(digits, 6)));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

/**
 * A metric value for people: NaN as `NaN`, integers as they are, 4 significant digits (one decimal from 1,000 on),
 * and an exponent below 0.0001 and from 1,000,000 on. Trailing zeros are dropped.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return String(value);
  if (abs >= 1e6 || abs < 1e-4) return compactExponent(value.toExponential(3));
  if (abs >= 1000) return stripZeros(value.toFixed(1));
  return stripZeros(value.toPrecision(4));
}

/** A value of the points' table: integers as they are, else 6 significant digits (an exponent for extremes). */
function preciseNumber(value: number): string {
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return String(value);
  if (abs >= 1e6 || abs < 1e-4) return compactExponent(value.toExponential(5));
  return stripZeros(value.toPrecision(6));
}

/** A share as a percentage with up to one decimal: `0.9667` → `96.7%`. */
function formatPercent(share: number): string {
  return `${stripZeros((share * 100).toFixed(1))}%`;
}

/** An integer with thousands separators: `2000` → `2,000`. */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** `1.500e+6` → `1.5e6`. */
function compactExponent(text: string): string {
  const [mantissa = '', exponent = ''] = text.split('e');
  return `${stripZeros(mantissa)}e${exponent.replace(/^\+/, '')}`;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10 || 0;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4 || 0;
}

// ---- text ------------------------------------------------------------------------------------------------------

/** Escapes text for HTML content and attribute values; control characters become U+FFFD. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD'); // eslint-disable-line no-control-regex
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function labelText(label: ClassLabel): string {
  return typeof label === 'string' ? label : String(label);
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * CHAR_WIDTH;
}

/** A count from a confusion matrix: a finite number that is not negative, else 0. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function jsonText(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hexRgb(hex: string): number[] {
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
}

function rgbHex(rgb: number[]): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
