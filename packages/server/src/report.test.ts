import { createHash } from 'node:crypto';
import type { Evaluation } from '@unionml/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  escapeHtml,
  formatNumber,
  formatTick,
  formatTime,
  heatColour,
  niceTicks,
  POINT_COLOUR,
  renderReport,
  REPORT_CSP,
  REPORT_STYLE_HASH,
  reportSection,
  type ReportInput,
} from './report.js';
import { classificationInput, regressionInput } from './test-support/report-fixtures.js';

const EVIL = `<script>alert("x")</script> & 'quotes' "double"`;
const EVIL_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &quot;double&quot;';

/** The `<svg>` elements of an HTML text. */
const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
/** The attributes of the first tag that matches `pattern`. */
function attributes(html: string, pattern: RegExp): Record<string, string> {
  const tag = html.match(pattern)?.[0] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

describe('renderReport: the page', () => {
  const html = renderReport(classificationInput());

  it('is a complete HTML page with a title, a strict CSP and the report', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<title>iris_classifier · unionml model report</title>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; base-uri 'none'; form-action 'none'$/);
    expect(html).toContain('<h1>iris_classifier</h1>');
    expect(html).toContain('<h2>Metrics</h2>');
    expect(html).toContain('<h2>Confusion matrix</h2>');
    expect(html).toContain('<h2>Hyperparameters</h2>');
    expect(html).toContain('Trained <time datetime="2024-05-01T12:34:56.789Z">2024-05-01 12:34:56 UTC</time> · unionml 0.1.0');
  });

  it('needs nothing from outside: no scripts, no links, no URLs, no style attributes, no event handlers', () => {
    for (const input of [classificationInput(), classificationInput(50), regressionInput()]) {
      const page = renderReport(input);
      expect(page).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|@import|url\(|\ssrc=|\shref=|\sstyle=|\son\w+=/i);
      // The only "http" is the SVG namespace, which is a name, not a resource.
      expect(page.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:|\/\//);
    }
  });

  it("allows its one <style> by the CSP's hash", () => {
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(styles).toHaveLength(1);
    const hash = `'sha256-${createHash('sha256')
      .update(styles[0] ?? '')
      .digest('base64')}'`;
    expect(hash).toBe(REPORT_STYLE_HASH);
    // Every rule is scoped to the report.
    const selectors = (styles[0] ?? '').split('}').filter(Boolean);
    for (const rule of selectors) {
      const list = (rule.split('{')[0] ?? '').split(/,(?![^(]*\))/);
      expect(
        list.every((s) => s.trim().startsWith('.unionml-report ') || s.trim() === '.unionml-report'),
        rule,
      ).toBe(true);
    }
  });

  it('is deterministic: the same bytes for the same input, whatever the clock says', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
    const first = renderReport(regressionInput());
    vi.setSystemTime(new Date('2031-06-30T12:00:00Z'));
    const second = renderReport(regressionInput());
    expect(second).toBe(first);
    expect(renderReport(classificationInput(50))).toBe(renderReport(classificationInput(50)));
  });

  afterEach(() => {
    vi.useRealTimers();
  });
});

describe('reportSection: the fragment for the index page', () => {
  it('is a <section> with its own scoped <style> and the same content as the page', () => {
    const input = regressionInput(50);
    const section = reportSection(input);
    expect(section.startsWith('<section class="unionml-report" aria-label="Model report: diabetes_regressor">\n<style>')).toBe(true);
    expect(section.trimEnd().endsWith('</section>')).toBe(true);
    expect(section).not.toMatch(/<html|<head|<body|<!doctype|<meta/i);
    expect(section).toContain('<h2>diabetes_regressor</h2>');
    expect(section).toContain('<h3>Predicted against actual</h3>');
    // The page is the level-1 section with its <style> moved to the head.
    const page = renderReport(input);
    const level1 = reportSection(input, { headingLevel: 1 }).replace(/<style>[\s\S]*?<\/style>\n/, '');
    expect(page).toContain(level1.trimEnd());
    expect(reportSection(input, { headingLevel: 3 })).toContain('<h4>Metrics</h4>');
  });
});

describe('escaping', () => {
  it('escapes every text from the input: the name, time, version, metrics, hyperparameters, labels and target', () => {
    const input: ReportInput = {
      model: EVIL,
      savedAt: EVIL,
      unionml: EVIL,
      hyperparameters: { [EVIL]: EVIL, nested: { [EVIL]: [EVIL] } },
      metrics: { test: { [EVIL]: 1 } },
      evaluation: {
        kind: 'classification',
        split: 'test',
        target: EVIL,
        labels: [EVIL, 'a&b', "it's"],
        matrix: [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      },
    };
    const html = renderReport(input);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('"double"');
    expect(html).toContain(EVIL_ESCAPED);
    // Every & starts an entity.
    expect(html.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
    // Nothing breaks out of an attribute: every attribute value is free of quotes and angle brackets.
    for (const value of html.matchAll(/="([^"]*)"/g)) expect(value[1]).not.toMatch(/[<>]/);
    const regression = renderReport({ ...regressionInput(10), model: EVIL, evaluation: { ...(regressionInput(10).evaluation as Evaluation), target: EVIL } });
    expect(regression).not.toMatch(/<script/i);
    expect(regression).toContain(`aria-label="Predicted against actual ${escapeHtml(EVIL)} on the test split`);
    expect(regression).toContain('>Predicted &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; …</text>');
  });

  it('escapeHtml: the five characters, and control characters', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001bc\nd\te')).toBe('a\uFFFDb\uFFFDc\nd\te');
  });
});

describe('the metrics table', () => {
  const table = (html: string) => html.match(/<table class="ur-metrics">[\s\S]*?<\/table>/)?.[0] ?? '';
  const rows = (html: string) =>
    [...table(html).matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...(r[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]));

  it('has a row per metric and a column per split, values formatted, NaN as NaN, missing as —', () => {
    const html = renderReport({ model: 'm', metrics: { train: { accuracy: 0.9833333333, f1: NaN }, test: { accuracy: 0.9666666667, mse: 2900.5 } } });
    expect(rows(html)).toEqual([
      ['Metric', 'train', 'test'],
      ['accuracy', '0.9833', '0.9667'],
      ['f1', 'NaN', '—'],
      ['mse', '—', '2900.5'],
    ]);
    // The exact value is in the cell's tooltip.
    expect(table(html)).toContain('title="0.9833333333">0.9833<');
  });

  it('shows a NaN that a model file stored as null (JSON has no NaN) as NaN', () => {
    const metrics = JSON.parse(JSON.stringify({ test: { r2: NaN } })) as ReportInput['metrics'];
    expect(rows(renderReport({ model: 'm', metrics }))).toEqual([
      ['Metric', 'test'],
      ['r2', 'NaN'],
    ]);
  });

  it('has only the splits that were measured', () => {
    expect(rows(renderReport({ model: 'm', metrics: { test: { score: 1 } } }))).toEqual([
      ['Metric', 'test'],
      ['score', '1'],
    ]);
  });

  it('says so when there are no metrics', () => {
    for (const metrics of [{}, { train: {}, test: {} }]) {
      const html = renderReport({ model: 'm', metrics });
      expect(table(html)).toBe('');
      expect(html).toContain('<p class="ur-empty">No metrics were recorded.</p>');
    }
  });
});

describe('hyperparameters', () => {
  const section = (hyperparameters: unknown) => renderReport({ model: 'm', metrics: {}, hyperparameters }).split('<h2>Hyperparameters</h2>')[1] ?? '';

  it('shows an object as a table of JSON values, long nested values indented', () => {
    const html = section({ C: 1, solver: 'lbfgs', layers: [64, 32], big: { a: 'x'.repeat(80) } });
    expect(html).toContain('<tr><th scope="row">C</th><td><code>1</code></td></tr>');
    expect(html).toContain('<tr><th scope="row">solver</th><td><code>&quot;lbfgs&quot;</code></td></tr>');
    expect(html).toContain('<code>[64,32]</code>');
    expect(html).toContain(`<pre>{\n  &quot;a&quot;: &quot;${'x'.repeat(80)}&quot;\n}</pre>`);
  });

  it('shows other JSON as JSON, and none as none, without throwing on data that is not JSON', () => {
    expect(section([1, 2])).toContain('<pre>[\n  1,\n  2\n]</pre>');
    expect(section(undefined)).toContain('None recorded.');
    expect(section({})).toContain('None.');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(section(cyclic)).toContain('<code>[object Object]</code>');
    expect(section({ n: 10n })).toContain('<code>10</code>');
  });
});

describe('no evaluation', () => {
  it('has no chart and no table of it', () => {
    const html = renderReport({ ...classificationInput(), evaluation: undefined });
    expect(svgs(html)).toEqual([]);
    expect(html).not.toContain('<details>');
    expect(html).not.toContain('Confusion matrix');
    expect(html).toContain('<h2>Hyperparameters</h2>');
  });
});

describe('the confusion matrix', () => {
  it('draws a cell per pair of classes, shaded by the share of its row, with the counts and labelled axes', () => {
    const input: ReportInput = {
      model: 'm',
      metrics: {},
      evaluation: {
        kind: 'classification',
        split: 'test',
        target: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
        matrix: [
          [10, 0, 0],
          [0, 9, 1],
          [0, 0, 0],
        ],
      },
    };
    const html = renderReport(input);
    const [svg = ''] = svgs(html);
    expect(svgs(html)).toHaveLength(1);
    const svgAttributes = attributes(svg, /<svg[^>]*>/);
    expect(svgAttributes['role']).toBe('img');
    expect(svgAttributes['aria-label']).toBe(
      'Confusion matrix of species on the test split: 3 classes, 20 rows (95% on the diagonal). Rows: actual class; columns: predicted class; shade: share of the row.',
    );
    expect(svg).toContain(`<title>${svgAttributes['aria-label']}</title>`);
    const cells = [...svg.matchAll(/<rect [^>]*data-share="([^"]*)"[^>]*>/g)];
    expect(cells).toHaveLength(9);
    expect(cells.map((c) => Number(c[1]))).toEqual([1, 0, 0, 0, 0.9, 0.1, 0, 0, 0]);
    // The colours: the full row share darkest, an empty row as light as a zero.
    expect(attributes(cells[0]?.[0] ?? '', /<rect[^>]*>/)['fill']).toBe('#08306b');
    expect(attributes(cells[0]?.[0] ?? '', /<rect[^>]*>/)['fill']).toBe(heatColour(1));
    expect(attributes(cells[4]?.[0] ?? '', /<rect[^>]*>/)['fill']).toBe(heatColour(0.9));
    expect(attributes(cells[8]?.[0] ?? '', /<rect[^>]*>/)['fill']).toBe('#f7fbff');
    expect(svg).toContain('<title>Actual versicolor, predicted virginica: 1 (10% of the row)</title>');
    // Counts: white on dark cells.
    const counts = [...svg.matchAll(/<text [^>]*fill="([^"]*)"[^>]*>(\d+)<\/text>/g)].map((m) => [m[2], m[1]]);
    expect(counts).toHaveLength(9);
    expect(counts[0]).toEqual(['10', '#ffffff']);
    expect(counts[5]).toEqual(['1', '#1f2937']);
    // Labels on both axes, and the axes' names.
    for (const label of ['setosa', 'versicolor', 'virginica']) expect(svg.match(new RegExp(`>${label}</text>`, 'g'))).toHaveLength(2);
    expect(svg).toContain('>Actual</text>');
    expect(svg).toContain('>Predicted</text>');
    // The table fallback.
    expect(html).toContain('<details><summary>The confusion matrix as a table</summary>');
    expect(html).toContain(
      '<tr><th scope="row">versicolor</th><td class="ur-num">0</td><td class="ur-num">9</td><td class="ur-num">1</td><td class="ur-num">10</td></tr>',
    );
  });

  it('has one cell for one class', () => {
    const html = renderReport({ model: 'm', metrics: {}, evaluation: { kind: 'classification', split: 'train', target: 'y', labels: [true], matrix: [[7]] } });
    const [svg = ''] = svgs(html);
    expect([...svg.matchAll(/data-share="1"/g)]).toHaveLength(1);
    expect(svg).toContain('>7</text>');
    expect(svg).toContain('>true</text>');
    expect(svg).toContain('1 class, 7 rows (100% on the diagonal)');
  });

  it('says so when there are no classes, and reads a ragged or damaged matrix as zeros', () => {
    const none = renderReport({ model: 'm', metrics: {}, evaluation: { kind: 'classification', split: 'test', target: 'y', labels: [], matrix: [] } });
    expect(svgs(none)).toEqual([]);
    expect(none).toContain('No classes.');
    const ragged = renderReport({
      model: 'm',
      metrics: {},
      evaluation: { kind: 'classification', split: 'test', target: 'y', labels: [0, 1], matrix: [[3], [NaN, -2]] },
    });
    expect([...(svgs(ragged)[0] ?? '').matchAll(/data-share="([^"]*)"/g)].map((m) => m[1])).toEqual(['1', '0', '0', '0']);
  });

  it('stays readable with 50 classes: smaller upright labels, no counts in tiny cells, long labels cut', () => {
    const input = classificationInput(50, (i) => (i === 7 ? `a_very_long_label_that_goes_on_and_on_${i}` : `class_${i}`));
    const [svg = ''] = svgs(renderReport(input));
    const { width, height } = attributes(svg, /<svg[^>]*>/);
    expect(Number(width)).toBeLessThanOrEqual(960);
    expect(Number(height)).toBeLessThanOrEqual(960);
    expect([...svg.matchAll(/data-share=/g)]).toHaveLength(2500);
    expect(svg).toMatch(/<svg[^>]*font-size="9"/);
    expect([...svg.matchAll(/transform="rotate\(-90 /g)]).toHaveLength(51); // 50 column labels and "Actual"
    expect(svg).not.toMatch(/>\d+<\/text>/); // 12-unit cells: no room for counts
    expect(svg).toContain('>a_very_long_label_that_…</text>');
    expect(svg).toContain('<title>Actual a_very_long_label_that_goes_on_and_on_7, predicted');
    // Counts come back when there is room: 10 classes.
    expect(svgs(renderReport(classificationInput(10)))[0]).toMatch(/>2[0-6]<\/text>/);
  });

  it('turns column labels that do not fit their column by 45° when they do not collide', () => {
    const [svg = ''] = svgs(renderReport(classificationInput(3, (i) => `longer_label_${i}`)));
    expect([...svg.matchAll(/transform="rotate\(-45 /g)]).toHaveLength(3);
    const [short = ''] = svgs(renderReport(classificationInput(3, (i) => `${i}`)));
    expect(short).not.toMatch(/rotate\(-45/);
    expect(short).toMatch(/dominant-baseline="hanging">0<\/text>/);
  });
});

describe('the predicted-vs-actual plot', () => {
  const regression = (actual: number[], predicted: number[], rows = actual.length): ReportInput => ({
    model: 'm',
    metrics: {},
    evaluation: { kind: 'regression', split: 'test', target: 'y', actual, predicted, rows },
  });
  /** The centres of the plotted points, in the SVG's coordinates. */
  const points = (svg: string) =>
    [...(svg.match(/<path class="ur-points"[^>]*d="([^"]*)"/)?.[1] ?? '').matchAll(/M([-\d.]+) ([-\d.]+)a([\d.]+)/g)].map((m) => [
      Number(m[1]) + Number(m[3]),
      Number(m[2]),
    ]);
  const tickLabels = (svg: string) => [...svg.matchAll(/dominant-baseline="hanging">([\s\S]*?)<\/g>/g)][0]?.[1]?.match(/>[^<]+</g)?.map((t) => t.slice(1, -1));

  it('draws 2,000 points, the y = x line, and axes with round ticks on one scale', () => {
    const input = regressionInput(2000);
    const html = renderReport(input);
    const [svg = ''] = svgs(html);
    expect(attributes(svg, /<svg[^>]*>/)['role']).toBe('img');
    expect(attributes(svg, /<svg[^>]*>/)['aria-label']).toBe(
      'Predicted against actual progression on the test split: 2,000 points (an evenly spaced sample of 10,000 rows), with the line predicted = actual.',
    );
    expect(points(svg)).toHaveLength(2000);
    expect(svg).toContain(`fill="${POINT_COLOUR}"`);
    expect(tickLabels(svg)).toEqual(['-100', '0', '100', '200', '300']);
    // y = x: from the bottom left corner of the plot to its top right one.
    expect(svg).toContain('<path d="M76 454L516 14" stroke="#6b7280" stroke-width="1.5" stroke-dasharray="6 4" fill="none"/>');
    // A point where it belongs: actual[0], predicted[0] on the scale -100..300 over 440 units.
    const evaluation = input.evaluation as Extract<Evaluation, { kind: 'regression' }>;
    const [x, y] = points(svg)[0] ?? [];
    expect(x).toBeCloseTo(76 + (((evaluation.actual[0] ?? 0) + 100) / 400) * 440, 0);
    expect(y).toBeCloseTo(454 - (((evaluation.predicted[0] ?? 0) + 100) / 400) * 440, 0);
    expect(html).toContain('Target <code>progression</code>, test split: 2,000 points (an evenly spaced sample of 10,000 rows).');
    expect([...html.matchAll(/<tr><td class="ur-num">/g)]).toHaveLength(2000);
    expect(html).toContain('>Actual progression</text>');
    expect(html).toContain('>Predicted progression</text>');
  });

  it('handles constant values: a widened scale with the points in the middle', () => {
    const [svg = ''] = svgs(renderReport(regression([5, 5, 5], [5, 5, 5])));
    expect(tickLabels(svg)).toEqual(['4.4', '4.6', '4.8', '5.0', '5.2', '5.4', '5.6']);
    for (const [x, y] of points(svg)) {
      expect(x).toBeCloseTo(76 + 220, 0);
      expect(y).toBeCloseTo(14 + 220, 0);
    }
  });

  it('handles negative values and leaves out points that are not finite numbers', () => {
    const html = renderReport(regression([-3, -2, -1, NaN, 0], [-2.5, -2, Infinity, -1, 0.5]));
    const [svg = ''] = svgs(html);
    expect(points(svg)).toHaveLength(3);
    expect(tickLabels(svg)).toEqual(['-3', '-2', '-1', '0', '1']);
    expect(html).toContain('5 points; 2 with a value that is not a finite number are not shown.');
  });

  it('says so when there is nothing to plot', () => {
    const html = renderReport(regression([], []));
    expect(svgs(html)).toEqual([]);
    expect(html).toContain('No points to plot.');
  });
});

describe('numbers', () => {
  it('formatNumber: NaN, infinities, integers, 4 significant digits, exponents for extremes', () => {
    const cases: [number, string][] = [
      [NaN, 'NaN'],
      [Infinity, '∞'],
      [-Infinity, '-∞'],
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [2900, '2900'],
      [-42, '-42'],
      [0.96, '0.96'],
      [0.9666666667, '0.9667'],
      [12.3456, '12.35'],
      [-0.5, '-0.5'],
      [2900.5, '2900.5'],
      [123456.789, '123456.8'],
      [1234567.8, '1.235e6'],
      [0.00012346, '0.0001235'],
      [0.000012346, '1.235e-5'],
      [1e20, '1e20'],
    ];
    for (const [value, text] of cases) expect(formatNumber(value), String(value)).toBe(text);
  });

  it('niceTicks: steps of 1, 2 or 5 times a power of ten that cover the range', () => {
    expect(niceTicks(0, 1)).toEqual({ min: 0, max: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceTicks(-3.7, 12.2).ticks).toEqual([-5, 0, 5, 10, 15]);
    expect(niceTicks(12.2, -3.7).ticks).toEqual([-5, 0, 5, 10, 15]);
    expect(niceTicks(0.1, 0.3).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(niceTicks(1e6, 5e6).ticks).toEqual([1e6, 2e6, 3e6, 4e6, 5e6]);
    expect(niceTicks(0.00011, 0.00019).ticks).toEqual([0.0001, 0.00012, 0.00014, 0.00016, 0.00018, 0.0002]);
    expect(niceTicks(5, 5)).toMatchObject({ min: 4.4, max: 5.6, step: 0.2 });
    expect(niceTicks(0, 0).ticks).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(-7, -7).ticks).toEqual([-8, -7.5, -7, -6.5, -6]);
    expect(niceTicks(NaN, 3).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    for (const [lo, hi] of [
      [-80.3, 283.1],
      [0.001, 0.0042],
      [-1e9, 3e9],
      [17, 17.0001],
    ] as const) {
      const { min, max, ticks, step } = niceTicks(lo, hi);
      expect(min).toBeLessThanOrEqual(lo);
      expect(max).toBeGreaterThanOrEqual(hi);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(12);
      expect(step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toSatisfy((m: number) => [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9));
      for (const [k, t] of ticks.entries()) expect(t).toBeCloseTo(min + k * step, 9);
    }
  });

  it('formatTick: the decimals the step needs, exponents for extremes, no -0', () => {
    expect(niceTicks(0, 1).ticks.map((t) => formatTick(t, 0.2))).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(formatTick(-100, 100)).toBe('-100');
    expect(formatTick(0.00016, 0.00002)).toBe('1.6e-4');
    expect(formatTick(2500000, 500000)).toBe('2.5e6');
    expect(formatTick(3e9, 1e9)).toBe('3e9');
    expect(formatTick(-0, 1)).toBe('0');
  });

  it('formatTime: UTC, seconds; anything else as it is', () => {
    expect(formatTime('2024-05-01T14:00:00+02:00')).toBe('2024-05-01 12:00:00 UTC');
    expect(formatTime('yesterday')).toBe('yesterday');
  });

  it('heatColour: white-ish to dark blue, clamped', () => {
    expect(heatColour(0)).toBe('#f7fbff');
    expect(heatColour(1)).toBe('#08306b');
    expect(heatColour(2)).toBe('#08306b');
    expect(heatColour(-1)).toBe('#f7fbff');
    expect(heatColour(NaN)).toBe('#f7fbff');
    expect(heatColour(0.5)).toBe('#6baed6');
  });
});

describe('speed', () => {
  it('renders a 50-class report and a 2,000-point report quickly', () => {
    const classes = classificationInput(50);
    const points = regressionInput(2000);
    const time = (input: ReportInput) => {
      renderReport(input); // warm-up
      const runs = 10;
      const started = performance.now();
      for (let k = 0; k < runs; k++) renderReport(input);
      return (performance.now() - started) / runs;
    };
    const classMs = time(classes);
    const pointMs = time(points);
    console.log(
      `renderReport: 50 classes ${classMs.toFixed(2)} ms (${renderReport(classes).length} bytes), 2,000 points ${pointMs.toFixed(2)} ms (${renderReport(points).length} bytes)`,
    );
    // Generous bounds for a busy CI machine; the point is that nothing is quadratic in the points.
    expect(classMs).toBeLessThan(250);
    expect(pointMs).toBeLessThan(250);
  });
});
