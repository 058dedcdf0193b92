/**
 * Packs the rendered PNGs into build/icon.ico (Windows: app and .steerlab documents) and
 * build/icon.icns (macOS). Both formats may hold PNG images as they are, so no image library is
 * needed. Run by make-icons.sh after rsvg-convert; `node build/pack-icons.mjs` alone repacks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const png = (size) => readFileSync(path.join(here, size === 1024 ? 'icon.png' : `icons/${size}x${size}.png`));

/** ICO: a 6-byte header, a 16-byte entry per image, then the PNGs (width/height 0 means 256). */
function ico(sizes) {
  const images = sizes.map(png);
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(sizes[i] >= 256 ? 0 : sizes[i], entry);
    header.writeUInt8(sizes[i] >= 256 ? 0 : sizes[i], entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(image.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += image.length;
  });
  return Buffer.concat([header, ...images]);
}

/** ICNS: "icns" + total length, then (OSType, length incl. 8-byte header, PNG) per image. */
function icns(types) {
  const chunks = Object.entries(types).map(([type, size]) => {
    const data = png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

writeFileSync(path.join(here, 'icon.ico'), ico([16, 32, 48, 64, 128, 256]));
writeFileSync(path.join(here, 'icon.icns'), icns({ icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 }));
console.log('Wrote build/icon.ico and build/icon.icns');
