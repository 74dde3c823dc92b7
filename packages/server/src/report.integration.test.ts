// The model report (report.ts) in a real browser: Debian's Chromium, headless, takes screenshots of a classification,
// a 50-class and a regression report and dumps their DOM. The screenshots are decoded (test-support/png.ts) and
// checked pixel by pixel: every heatmap cell shows its colour where the SVG puts it, every scatter point is where it
// belongs, and the styles (allowed by the page's CSP hash, and only by it) apply. The pages and screenshots stay in
// test-output/report/ (each run overwrites its own files, nothing else there; the path is printed); Chromium's
// profiles go to a temp folder, removed.
// Skipped, saying so, without a chromium on PATH (or UNIONML_CHROMIUM): install it with
// `bash tools/scripts/chromium-setup.sh` (failed instead when UNIONML_REQUIRE_CHROMIUM is set, as CI sets it).
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Evaluation } from '@unionml/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { niceTicks, POINT_COLOUR, renderReport } from './report.js';
import { decodePng, findColour, type Png } from './test-support/png.js';
import { classificationInput, regressionInput } from './test-support/report-fixtures.js';

const run = promisify(execFile);
const WIDTH = 1000;
const HEIGHT = 1400;

/** The chromium binary: $UNIONML_CHROMIUM, else chromium or chromium-browser on PATH. */
function findChromium(): string | undefined {
  const candidates = process.env['UNIONML_CHROMIUM']
    ? [process.env['UNIONML_CHROMIUM']]
    : (process.env['PATH'] ?? '').split(delimiter).flatMap((dir) => (dir ? [join(dir, 'chromium'), join(dir, 'chromium-browser')] : []));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const chromium = findChromium();
const SKIP = `no chromium ${process.env['UNIONML_CHROMIUM'] ? `at UNIONML_CHROMIUM=${process.env['UNIONML_CHROMIUM']}` : 'on PATH'}: install it with \`bash tools/scripts/chromium-setup.sh\` (Debian: apt-get install chromium)`;
if (!chromium) console.warn(`report.integration.test.ts skipped: ${SKIP}`);

/** Where the pages and screenshots are kept: test-output/report/ of the repository. */
const dir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../test-output/report');
let profiles = '';
let runs = 0;

/** Runs headless Chromium on a page (a fresh profile each time); returns its stdout. */
async function chromiumOn(page: string, args: string[]): Promise<string> {
  const profile = join(profiles, `profile-${++runs}`);
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--hide-scrollbars'];
  const { stdout } = await run(
    chromium ?? 'chromium',
    [...flags, '--force-device-scale-factor=1', `--user-data-dir=${profile}`, ...args, pathToFileURL(page).href],
    {
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    },
  );
  return stdout;
}

/** Writes the report of `input` to `<name>.html` and screenshots it to `<name>.png`. */
async function screenshot(name: string, html: string): Promise<{ png: Png; path: string; dom: string }> {
  const page = join(dir, `${name}.html`);
  const path = join(dir, `${name}.png`);
  writeFileSync(page, html);
  await chromiumOn(page, [`--screenshot=${path}`, `--window-size=${WIDTH},${HEIGHT}`]);
  const dom = await chromiumOn(page, ['--dump-dom', `--window-size=${WIDTH},${HEIGHT}`]);
  console.log(`report screenshot: ${path} (page: ${page})`);
  return { png: decodePng(readFileSync(path)), path, dom };
}

function pixel(png: Png, x: number, y: number): string {
  const k = (Math.round(y) * png.width + Math.round(x)) * 4;
  return `#${[0, 1, 2].map((c) => (png.pixels[k + c] ?? 0).toString(16).padStart(2, '0')).join('')}`;
}

/** The cells of the heatmap in a (dumped) DOM: their SVG position, size and fill, row by row. */
function heatmapCells(dom: string): { x: number; y: number; size: number; fill: string; share: number }[] {
  const svg = dom.match(/<svg[^>]*class="ur-heatmap"[\s\S]*?<\/svg>/)?.[0] ?? '';
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="(#[0-9a-f]{6})" data-share="([\d.]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    size: Number(m[3]),
    fill: m[4] ?? '',
    share: Number(m[5]),
  }));
}

/**
 * Checks a heatmap of n×n cells in a screenshot: it is drawn at its natural size, and every cell shows its own colour
 * where the SVG puts it (sampled near the cell's top left corner, clear of the count and the separating lines).
 * The matrix is found by its zero cells' colour (#f7fbff, used nowhere else).
 */
function checkHeatmap(png: Png, dom: string, n: number): { box: ReturnType<typeof findColour>; strongest: string } {
  const cells = heatmapCells(dom);
  expect(cells).toHaveLength(n * n);
  const size = cells[0]?.size ?? 0;
  const box = findColour(png, '#f7fbff');
  // The frame's line takes up to a pixel on each side.
  expect(box.maxX - box.minX + 1).toBeGreaterThanOrEqual(n * size - 3);
  expect(box.maxX - box.minX + 1).toBeLessThanOrEqual(n * size);
  expect(box.maxY - box.minY + 1).toBeGreaterThanOrEqual(n * size - 3);
  // Below the title and the metrics table, inside the page.
  expect(box.minY).toBeGreaterThan(250);
  expect(box.maxX).toBeLessThan(WIDTH);
  const x0 = box.minX - 1 - (cells[0]?.x ?? 0);
  const y0 = box.minY - 1 - (cells[0]?.y ?? 0);
  const wrong: string[] = [];
  for (const [k, cell] of cells.entries()) {
    const seen = pixel(png, x0 + cell.x + 3, y0 + cell.y + 3);
    if (seen !== cell.fill) wrong.push(`cell ${Math.floor(k / n)},${k % n}: ${seen} instead of ${cell.fill}`);
  }
  expect(wrong).toEqual([]);
  // The strongest cells' colour is where they are, and nowhere else.
  const top = Math.max(...cells.map((c) => c.share));
  const strongest = cells.filter((c) => c.share === top);
  const fill = strongest[0]?.fill ?? '';
  const found = findColour(png, fill);
  expect(found.count).toBeGreaterThan(strongest.length * (size - 2) ** 2 * 0.6);
  expect(found.count).toBeLessThanOrEqual(strongest.length * size ** 2);
  expect(found.minX).toBeGreaterThanOrEqual(x0 + Math.min(...strongest.map((c) => c.x)) - 1);
  expect(found.maxX).toBeLessThanOrEqual(x0 + Math.max(...strongest.map((c) => c.x + size)) + 1);
  expect(found.minY).toBeGreaterThanOrEqual(y0 + Math.min(...strongest.map((c) => c.y)) - 1);
  expect(found.maxY).toBeLessThanOrEqual(y0 + Math.max(...strongest.map((c) => c.y + size)) + 1);
  return { box, strongest: fill };
}

describe(`the model report in headless Chromium (${chromium ?? 'not installed'})`, () => {
  beforeEach((context) => {
    // In CI (UNIONML_REQUIRE_CHROMIUM) a missing Chromium fails these tests instead of skipping them.
    if (!chromium && process.env['UNIONML_REQUIRE_CHROMIUM']) throw new Error(SKIP);
    if (!chromium) context.skip(SKIP);
  });
  beforeAll(async () => {
    if (!chromium) return;
    mkdirSync(dir, { recursive: true });
    profiles = mkdtempSync(join(tmpdir(), 'unionml-report-browser-'));
    console.log(`report browser test files: ${dir}`);
    const { stdout } = await run(chromium, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    console.log(`chromium: ${stdout.trim()}`);
  });
  afterAll(() => {
    if (profiles) rmSync(profiles, { recursive: true, force: true });
  });

  it('classification (10 classes): the screenshot shows every heatmap cell in its colour at its place, and the styles', async () => {
    const input = classificationInput(10, (i) => `class <${i}> & "co"`);
    const { png, dom } = await screenshot('classification', renderReport(input));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const { strongest } = checkHeatmap(png, dom, 10);
    expect(strongest).toBe('#08306b');
    // The page's styles applied (the CSP allows them by their hash): the metrics table's header is shaded.
    const header = findColour(png, '#f3f4f6', 0, { x0: 0, y0: 0, x1: WIDTH, y1: 400 });
    expect(header.count).toBeGreaterThan(1000);
    // The DOM: one heatmap SVG with its accessible name and 100 cells, the labels as text, the table fallback.
    expect(dom.match(/<svg /g)).toHaveLength(1);
    expect(dom).toMatch(
      /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="ur-heatmap" role="img" aria-label="Confusion matrix of species on the test split: 10 classes/,
    );
    expect(dom).toContain('>class &lt;3&gt; &amp; "co"</text>');
    expect(dom).toContain('<details><summary>The confusion matrix as a table</summary>');
    expect(dom).not.toMatch(/<script/i);
  });

  it('classification (50 classes): every one of the 2,500 cells renders where it belongs', async () => {
    const { png, dom } = await screenshot('classification-50', renderReport(classificationInput(50)));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const { box } = checkHeatmap(png, dom, 50);
    expect(box.maxY).toBeLessThan(HEIGHT); // the whole matrix is in the first screen
  });

  it('regression (2,000 points): every point is drawn at its place in the point colour, inside the plot', async () => {
    const input = regressionInput(2000);
    const { png, dom } = await screenshot('regression', renderReport(input));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const svg = dom.match(/<svg[^>]*class="ur-scatter"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(svg).toMatch(/role="img" aria-label="Predicted against actual progression on the test split: 2,000 points/);
    // The point centres, in SVG units, from the dumped DOM.
    const d = svg.match(/<path class="ur-points" fill="([^"]+)" d="([^"]*)"/);
    expect(d?.[1]).toBe(POINT_COLOUR);
    const centres = [...(d?.[2] ?? '').matchAll(/M([-\d.]+) ([-\d.]+)a([\d.]+)/g)].map((m) => [Number(m[1]) + Number(m[3]), Number(m[2])] as const);
    expect(centres).toHaveLength(2000);
    // Where the plot is on the screen: the grid (#e5e7eb, used nowhere else) fills the plot's frame, which is at
    // x 76..516 and y 14..454 in SVG units (see report.ts); the frame's line may take the grid's first pixel.
    const evaluation = input.evaluation as Extract<Evaluation, { kind: 'regression' }>;
    const scale = niceTicks(Math.min(...evaluation.actual, ...evaluation.predicted), Math.max(...evaluation.actual, ...evaluation.predicted));
    expect(scale.ticks).toEqual([-100, 0, 100, 200, 300]);
    const grid = findColour(png, '#e5e7eb');
    expect(grid.maxX - grid.minX + 1).toBeGreaterThanOrEqual(438);
    expect(grid.maxX - grid.minX + 1).toBeLessThanOrEqual(440);
    expect(grid.maxY - grid.minY + 1).toBeGreaterThanOrEqual(438);
    expect(grid.maxY - grid.minY + 1).toBeLessThanOrEqual(440);
    const x0 = grid.minX - 76.5;
    const y0 = grid.minY - 14.5;
    expect(y0).toBeGreaterThan(250); // below the title and the metrics table
    // Every point's centre pixel (give or take the pixel that placing the plot may shift it by) has the point colour.
    const near = (x: number, y: number) => [-1, 0, 1].some((dx) => [-1, 0, 1].some((dy) => pixel(png, x + dx, y + dy) === POINT_COLOUR));
    const missing = centres.filter(([x, y]) => !near(x0 + x - 0.5, y0 + y - 0.5));
    expect(missing).toEqual([]);
    // ... and the point colour is nowhere but on the points: inside the plot, rising to the right.
    const points = findColour(png, POINT_COLOUR);
    expect(points.count).toBeGreaterThan(2000);
    const xs = centres.map(([x]) => x);
    const ys = centres.map(([, y]) => y);
    expect(points.minX).toBeGreaterThanOrEqual(x0 + Math.min(...xs) - 3);
    expect(points.maxX).toBeLessThanOrEqual(x0 + Math.max(...xs) + 3);
    expect(points.minY).toBeGreaterThanOrEqual(y0 + Math.min(...ys) - 3);
    expect(points.maxY).toBeLessThanOrEqual(y0 + Math.max(...ys) + 3);
    expect(points.correlation).toBeLessThan(-0.9);
    expect(dom).toContain('<details><summary>The points as a table</summary>');
  });

  it('keeps to its CSP: a style that does not match the hash is not applied', async () => {
    // The control for the header check above: change one colour of the style, and the browser must refuse all of it.
    const tampered = renderReport(classificationInput(3)).replace('thead th{background:#f3f4f6}', 'thead th{background:#f3f4f5}');
    expect(tampered).toContain('#f3f4f5');
    const { png } = await screenshot('csp-tampered', tampered);
    // (A few pixels of text's anti-aliasing may have these colours by chance; the shaded header has thousands.)
    const top = { x0: 0, y0: 0, x1: WIDTH, y1: 400 };
    expect(findColour(png, '#f3f4f5', 0, top).count).toBeLessThan(100);
    expect(findColour(png, '#f3f4f6', 0, top).count).toBeLessThan(100);
    // The SVG still renders: its colours are attributes, which a CSP does not govern.
    expect(findColour(png, '#08306b').count).toBeGreaterThan(1000);
  });
});
