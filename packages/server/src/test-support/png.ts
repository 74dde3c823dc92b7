// A small PNG reader (node:zlib only) for the browser test's screenshots: 8-bit greyscale, RGB, grey+alpha and RGBA,
// not interlaced; every chunk's CRC is checked. Pixels come out as RGBA.
import { crc32, inflateSync } from 'node:zlib';

/** A decoded image: `pixels` holds 4 bytes (R, G, B, A) per pixel, row by row from the top left. */
export interface Png {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes per pixel of each colour type at 8 bits per sample. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes a PNG file; throws on anything it does not support or a damaged file. */
export function decodePng(file: Uint8Array): Png {
  const data = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (data.length < 8 || SIGNATURE.some((b, i) => data[i] !== b)) throw new Error('not a PNG file (bad signature)');
  let offset = 8;
  let header: { width: number; height: number; colourType: number } | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset + 12 <= data.length && !ended) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > data.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    const body = data.subarray(offset + 8, offset + 8 + length);
    const crc = data.readUInt32BE(offset + 8 + length);
    if (crc32(data.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`PNG chunk ${type}: bad CRC`);
    if (type === 'IHDR') {
      const [bitDepth, colourType, compression, filter, interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (bitDepth !== 8) throw new Error(`PNG bit depth ${bitDepth} is not supported`);
      if (colourType === undefined || !(colourType in CHANNELS)) throw new Error(`PNG colour type ${colourType} is not supported`);
      if (compression !== 0 || filter !== 0 || interlace !== 0) throw new Error('interlaced or unknown-method PNGs are not supported');
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), colourType };
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      ended = true;
    }
    offset = end;
  }
  if (!header) throw new Error('PNG has no IHDR chunk');
  if (!ended) throw new Error('PNG has no IEND chunk (truncated?)');
  const { width, height, colourType } = header;
  const bpp = CHANNELS[colourType] ?? 4;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG image data has ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const at = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (rows[at + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (rows[at - stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (rows[at - stride + x - bpp] ?? 0) : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
      }
      rows[at + x] = ((line[x] ?? 0) + predictor) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let k = 0; k < width * height; k++) {
    const s = k * bpp;
    const grey = bpp <= 2;
    pixels[k * 4] = rows[s] ?? 0;
    pixels[k * 4 + 1] = grey ? (rows[s] ?? 0) : (rows[s + 1] ?? 0);
    pixels[k * 4 + 2] = grey ? (rows[s] ?? 0) : (rows[s + 2] ?? 0);
    pixels[k * 4 + 3] = bpp === 4 ? (rows[s + 3] ?? 255) : bpp === 2 ? (rows[s + 1] ?? 255) : 255;
  }
  return { width, height, pixels };
}

/** Where the pixels of one colour are in an image: how many, their bounding box, and how x and y go together. */
export interface ColourRegion {
  count: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Pearson's correlation of the pixels' x and y (y grows downwards); NaN under two pixels. */
  correlation: number;
}

/** The pixels whose colour is within `tolerance` (per channel) of `hex` (`#rrggbb`), in the box `within` if given. */
export function findColour(
  png: Png,
  hex: string,
  tolerance = 0,
  within: { x0: number; y0: number; x1: number; y1: number } = { x0: 0, y0: 0, x1: png.width, y1: png.height },
): ColourRegion {
  const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
  let count = 0;
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  let [sx, sy, sxx, syy, sxy] = [0, 0, 0, 0, 0];
  for (let y = Math.max(0, within.y0); y < Math.min(png.height, within.y1); y++) {
    for (let x = Math.max(0, within.x0); x < Math.min(png.width, within.x1); x++) {
      const k = (y * png.width + x) * 4;
      const p = png.pixels;
      if (Math.abs((p[k] ?? 0) - r) > tolerance || Math.abs((p[k + 1] ?? 0) - g) > tolerance || Math.abs((p[k + 2] ?? 0) - b) > tolerance) continue;
      count++;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  }
  const cov = sxy / count - (sx / count) * (sy / count);
  const vx = sxx / count - (sx / count) ** 2;
  const vy = syy / count - (sy / count) ** 2;
  return { count, minX, maxX, minY, maxY, correlation: count < 2 ? NaN : cov / Math.sqrt(vx * vy) };
}
