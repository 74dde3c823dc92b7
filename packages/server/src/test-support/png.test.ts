// The PNG reader of the browser test (report.integration.test.ts), checked on PNGs written here with every filter type.
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, findColour } from './png.js';

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** Encodes `rows` (each `width * channels` bytes) with filter type `y % 5` on row y. */
function encodePng(width: number, height: number, colourType: 0 | 2 | 4 | 6, samples: Uint8Array): Buffer {
  const bpp = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType];
  const stride = width * bpp;
  const out = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    out[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const cur = samples[y * stride + x] ?? 0;
      const a = x >= bpp ? (samples[y * stride + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (samples[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (samples[(y - 1) * stride + x - bpp] ?? 0) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      out[y * (stride + 1) + 1 + x] = (cur - predictor) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // Two IDAT chunks: the reader must join them.
  const compressed = deflateSync(out);
  const half = compressed.length >> 1;
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', compressed.subarray(0, half)),
    chunk('IDAT', compressed.subarray(half)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Pixels whose values change in both directions, so that every filter's predictor matters. */
function samples(width: number, height: number, channels: number): Uint8Array {
  const s = new Uint8Array(width * height * channels);
  for (let k = 0; k < s.length; k++) s[k] = (k * 37 + Math.floor(k / (width * channels)) * 101) & 0xff;
  return s;
}

describe('decodePng', () => {
  it('decodes RGBA and RGB with all five filter types, as RGBA', () => {
    const rgba = samples(7, 11, 4);
    const png = decodePng(encodePng(7, 11, 6, rgba));
    expect([png.width, png.height]).toEqual([7, 11]);
    expect(Array.from(png.pixels)).toEqual(Array.from(rgba));

    const rgb = samples(5, 6, 3);
    const decoded = decodePng(encodePng(5, 6, 2, rgb));
    const expected: number[] = [];
    for (let k = 0; k < 30; k++) expected.push(rgb[k * 3] ?? 0, rgb[k * 3 + 1] ?? 0, rgb[k * 3 + 2] ?? 0, 255);
    expect(Array.from(decoded.pixels)).toEqual(expected);
  });

  it('decodes greyscale', () => {
    const grey = samples(4, 5, 1);
    const png = decodePng(encodePng(4, 5, 0, grey));
    expect(Array.from(png.pixels.subarray(0, 8))).toEqual([grey[0], grey[0], grey[0], 255, grey[1], grey[1], grey[1], 255]);
  });

  it('rejects a damaged file: bad signature, bad CRC, truncated', () => {
    const good = encodePng(3, 3, 6, samples(3, 3, 4));
    expect(() => decodePng(Buffer.from('hello world'))).toThrow(/signature/);
    const badCrc = Buffer.from(good);
    badCrc[20] = (badCrc[20] ?? 0) ^ 0xff; // inside IHDR's data
    expect(() => decodePng(badCrc)).toThrow(/CRC/);
    expect(() => decodePng(good.subarray(0, good.length - 12))).toThrow(/IEND/);
  });
});

describe('findColour', () => {
  it('counts the pixels of a colour, with their bounding box and the x-y correlation', () => {
    // 10x10 white with a red diagonal from the top left.
    const s = new Uint8Array(10 * 10 * 3).fill(255);
    for (let i = 0; i < 10; i++) s.set([255, 0, 0], (i * 10 + i) * 3);
    const png = decodePng(encodePng(10, 10, 2, s));
    const red = findColour(png, '#ff0000');
    expect(red).toMatchObject({ count: 10, minX: 0, maxX: 9, minY: 0, maxY: 9 });
    expect(red.correlation).toBeCloseTo(1, 6);
    expect(findColour(png, '#fe0101', 1).count).toBe(10);
    expect(findColour(png, '#fe0101', 0).count).toBe(0);
    expect(findColour(png, '#ff0000', 0, { x0: 0, y0: 0, x1: 5, y1: 5 }).count).toBe(5);
  });
});
